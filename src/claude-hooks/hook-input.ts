// The JSON Claude Code sends a command hook on stdin, read defensively: only the fields we use,
// checked by hand (a schema library would cost more to import than the whole hook may take).
import { jsonHead } from '../core/json-head.js';

export const HOOK_EVENTS = ['session-start', 'user-prompt-submit', 'post-tool-use', 'stop'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** Claude Code's name of each event (`hook_event_name`, `hookSpecificOutput.hookEventName`). */
export const EVENT_NAMES: Record<HookEvent, string> = {
  'session-start': 'SessionStart',
  'user-prompt-submit': 'UserPromptSubmit',
  'post-tool-use': 'PostToolUse',
  stop: 'Stop',
};

export interface HookInput {
  /** Claude Code's session id. */
  sessionId: string | null;
  cwd: string | null;
  hookEventName: string | null;
  /** SessionStart: startup | resume | clear | compact | fork. */
  source: string | null;
  /** PostToolUse. */
  toolName: string | null;
  /** Stop: Claude Code is already continuing because a Stop hook blocked. */
  stopHookActive: boolean;
  /** Set when the hook fires inside a subagent. */
  agentId: string | null;
}

export function isHookEvent(value: unknown): value is HookEvent {
  return typeof value === 'string' && (HOOK_EVENTS as readonly string[]).includes(value);
}

/**
 * Parses stdin. Text that is not whole JSON (an input kept only in part, `readHookStdin`) gives
 * the top-level fields its start holds; anything else that is not a JSON object gives an input
 * with every field empty.
 */
export function parseHookInput(text: string): HookInput {
  let value: unknown;
  try {
    value = text.trim() ? JSON.parse(text) : {};
  } catch {
    value = Object.fromEntries(jsonHead(text));
  }
  const o = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const str = (key: string): string | null => {
    const v = o[key];
    return typeof v === 'string' && v.trim() !== '' ? v : null;
  };
  return {
    sessionId: str('session_id'),
    cwd: str('cwd'),
    hookEventName: str('hook_event_name'),
    source: str('source'),
    toolName: str('tool_name'),
    stopHookActive: o.stop_hook_active === true,
    agentId: str('agent_id'),
  };
}

/**
 * The client session and project directory a hook works for. The JSON's `session_id` wins: it
 * names the current conversation, which changes on /clear while the environment Claude Code was
 * started with (`CLAUDE_CODE_SESSION_ID`, what its MCP server sees) may keep the first one; the
 * orchestrator session is the same either way (app/operations/client-session.ts finds it by the
 * Claude Code process). `CLAUDE_PROJECT_DIR` wins over `cwd`: it stays at the project root when
 * Claude changes directory.
 */
export function hookClient(input: HookInput, env: NodeJS.ProcessEnv): { clientSession: string; projectDir: string } | null {
  const clientSession = input.sessionId ?? (env.CLAUDE_CODE_SESSION_ID?.trim() || null);
  const projectDir = env.CLAUDE_PROJECT_DIR?.trim() || input.cwd;
  return clientSession && projectDir ? { clientSession, projectDir } : null;
}
