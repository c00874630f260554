// One hook run: stdin JSON in, Claude Code's answer out (or nothing). Never throws.
import { EVENT_NAMES, hookClient, parseHookInput, type HookEvent } from './hook-input.js';
import { openHookApp } from './hook-app.js';

export interface HookRun {
  /** What to print on stdout; empty for nothing. */
  output: string;
  /** Why nothing was printed, when something failed (for the debug log only). */
  error?: string;
}

export async function runHook(event: HookEvent, stdin: string, env: NodeJS.ProcessEnv): Promise<HookRun> {
  try {
    if (env.CLAUDE_ORCHESTRATOR_HOOKS === 'off') return { output: '' };
    const input = parseHookInput(stdin);
    // Subagents share the session; their tool calls should not consume its announcements.
    if (input.agentId && event !== 'stop') return { output: '' };
    const client = hookClient(input, env);
    if (!client) return { output: '' };
    const app = await openHookApp(env);
    if (!app) return { output: '' };
    try {
      switch (event) {
        case 'session-start': {
          const { sessionStart } = await import('./session-start.js');
          return { output: await sessionStart(app, input, client) };
        }
        case 'user-prompt-submit':
        case 'post-tool-use': {
          const { promptContext } = await import('./prompt-context.js');
          return { output: await promptContext(app, EVENT_NAMES[event] as 'UserPromptSubmit' | 'PostToolUse', client) };
        }
        case 'stop': {
          const { stop } = await import('./stop.js');
          return { output: await stop(app, input, client) };
        }
      }
    } finally {
      app.close();
    }
  } catch (error) {
    return { output: '', error: error instanceof Error ? error.message : String(error) };
  }
}
