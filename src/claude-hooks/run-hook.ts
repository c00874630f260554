// One hook run: stdin JSON in, Claude Code's answer out (or nothing). Never throws.
import { EVENT_NAMES, hookClient, parseHookInput, type HookEvent } from './hook-input.js';
import { existsSync } from 'node:fs';
import { resolveHome } from '../config/home.js';
import { forgetQuiet, isStillQuiet, noteQuiet, quietStamp } from '../app/quiet.js';

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
    const paths = resolveHome(env);
    if (!existsSync(paths.repoGitDir)) return { output: '' };
    // Nothing moved since this hook last had nothing to say: say nothing, without the app.
    const kind = event === 'stop' ? 'stop' : event === 'session-start' ? null : 'prompt';
    const stamp = kind && env.CLAUDE_ORCHESTRATOR_HOOK_CACHE !== 'off'
      ? quietStamp(paths.home, paths.repoGitDir, kind, client.clientSession, client.projectDir)
      : null;
    if (stamp && isStillQuiet(stamp)) return { output: '' };
    if (event === 'stop' && input.stopHookActive) return { output: '' };
    const { openHookApp } = await import('./hook-app.js');
    const app = await openHookApp(env);
    if (!app) return { output: '' };
    const quietly = async (output: Promise<string>): Promise<HookRun> => {
      const text = await output;
      if (stamp) text ? forgetQuiet(stamp) : noteQuiet(stamp);
      return { output: text };
    };
    try {
      switch (event) {
        case 'session-start': {
          const { sessionStart } = await import('./session-start.js');
          return { output: await sessionStart(app, input, client) };
        }
        case 'user-prompt-submit':
        case 'post-tool-use': {
          const { promptContext } = await import('./prompt-context.js');
          return await quietly(promptContext(app, EVENT_NAMES[event] as 'UserPromptSubmit' | 'PostToolUse', client));
        }
        case 'stop': {
          const { stop } = await import('./stop.js');
          return await quietly(stop(app, input, client));
        }
      }
    } finally {
      app.close();
    }
  } catch (error) {
    return { output: '', error: error instanceof Error ? error.message : String(error) };
  }
}
