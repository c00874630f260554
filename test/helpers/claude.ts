// Claude Code's hooks, run as Claude Code runs them: the real hook entry as a child process fed
// the JSON its documentation shows for each event.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const HOOK_ENTRY = resolve('dist/claude-hooks/hook-main.js');

/** The stdin examples of Claude Code's hooks reference, with session_id and cwd set. */
export function hookJson(event: 'session-start' | 'user-prompt-submit' | 'post-tool-use' | 'stop', sessionId: string, cwd: string, extra: Record<string, unknown> = {}) {
  const common = {
    session_id: sessionId,
    transcript_path: '/Users/.../.claude/projects/.../00893aaf-19fa-41d2-8238-13269b9b3ca0.jsonl',
    cwd,
  };
  switch (event) {
    case 'session-start':
      return { ...common, hook_event_name: 'SessionStart', source: 'startup', model: 'claude-sonnet-5', ...extra };
    case 'user-prompt-submit':
      return { ...common, permission_mode: 'default', hook_event_name: 'UserPromptSubmit', prompt: 'Write a function to calculate the factorial of a number', ...extra };
    case 'post-tool-use':
      return {
        ...common, permission_mode: 'default', hook_event_name: 'PostToolUse', tool_name: 'Write',
        tool_input: { file_path: '/path/to/file.txt', content: 'file content' },
        tool_response: { filePath: '/path/to/file.txt', success: true }, tool_use_id: 'toolu_01ABC123...', duration_ms: 12, ...extra,
      };
    case 'stop':
      return {
        ...common, permission_mode: 'default', hook_event_name: 'Stop', stop_hook_active: false,
        last_assistant_message: "I've completed the refactoring. Here's a summary...", background_tasks: [], session_crons: [], ...extra,
      };
  }
}

export interface HookResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** stdout parsed as JSON, or null when empty. */
  json: null | { decision?: string; reason?: string; hookSpecificOutput?: { hookEventName: string; additionalContext: string } };
}

/** Runs `node dist/claude-hooks/hook-main.js <event>` with `input` on stdin (a string is sent as is). */
export function runHook(event: string, input: unknown, env: Record<string, string>, entry = HOOK_ENTRY): Promise<HookResult> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [entry, event], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const trimmed = stdout.trim();
      let json: HookResult['json'] = null;
      if (trimmed) {
        try {
          json = JSON.parse(trimmed);
        } catch {
          json = null;
        }
      }
      resolvePromise({ code, stdout, stderr, ms: performance.now() - started, json });
    });
    child.stdin.end(typeof input === 'string' ? input : JSON.stringify(input));
  });
}
