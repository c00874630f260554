// Where the Claude Code lifecycle state (core/client-lifecycle.ts) is held on this machine, next
// to the coordination repo: which orchestrator session a Claude Code process is, and which of its
// conversations (client session ids) have been shown. Never in memory alone: every hook is a new
// process, and the MCP server's environment keeps the first conversation's id after /clear.
//
//   <home>/claude-code/pids/<pid>             the orchestrator session id of Claude Code process <pid>
//   <home>/claude-code/sessions/<session>.json { contexts: { <client session id>: { source, at } } }
//   <home>/claude-code/sessions/<session>.lock the lock held while a hook selects and records what
//                                              to show (config/files.ts), so concurrent hooks of
//                                              one session show each update once in total
//
// Files are written atomically; a missing or damaged file reads as empty (it only costs showing
// pending updates once more). Pid files of processes that are gone are removed when a new one
// is written.
import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { acquireFileLock, writeFileAtomic, type HeldLock } from '../config/files.js';
import { processAlive } from '../config/processes.js';

/** A conversation of the session, as noted by the hook that first saw it. */
export interface ClientContext {
  /** SessionStart's source, or `prompt` when a per-prompt hook saw the id first. */
  source: string;
  /** Wall clock, ms. */
  at: number;
}

export interface SessionContexts {
  contexts: Record<string, ClientContext>;
}

const SAFE = /^[A-Za-z0-9._-]{1,200}$/;

function dirOf(home: string): string {
  return join(home, 'claude-code');
}

/** The orchestrator session Claude Code process `pid` was bound to, or null. */
export function readPidBinding(home: string, pid: number): string | null {
  try {
    const text = readFileSync(join(dirOf(home), 'pids', String(pid)), 'utf8').trim();
    return SAFE.test(text) ? text : null;
  } catch {
    return null;
  }
}

/** Binds Claude Code process `pid` to `sessionId`, and forgets processes that are gone. */
export function writePidBinding(home: string, pid: number, sessionId: string): void {
  if (!SAFE.test(sessionId) || !(pid > 1)) return;
  const dir = join(dirOf(home), 'pids');
  if (readPidBinding(home, pid) !== sessionId) writeFileAtomic(join(dir, String(pid)), `${sessionId}\n`);
  try {
    for (const name of readdirSync(dir)) {
      const other = Number(name);
      if (Number.isSafeInteger(other) && other !== pid && !processAlive(other)) unlinkSync(join(dir, name));
    }
  } catch {
    // Tidying only.
  }
}

/** The conversations noted for `sessionId` (empty when none or unreadable). */
export function readContexts(home: string, sessionId: string): SessionContexts {
  if (!SAFE.test(sessionId)) return { contexts: {} };
  try {
    const value = JSON.parse(readFileSync(join(dirOf(home), 'sessions', `${sessionId}.json`), 'utf8')) as Partial<SessionContexts>;
    const contexts = value && typeof value.contexts === 'object' && value.contexts !== null && !Array.isArray(value.contexts) ? value.contexts : {};
    return { contexts: contexts as Record<string, ClientContext> };
  } catch {
    return { contexts: {} };
  }
}

/** Notes `clientSession` as a conversation of `sessionId` (call with the session's lock held). */
export function noteContext(home: string, sessionId: string, clientSession: string, context: ClientContext): void {
  if (!SAFE.test(sessionId)) return;
  const current = readContexts(home, sessionId);
  current.contexts[clientSession] = context;
  writeFileAtomic(join(dirOf(home), 'sessions', `${sessionId}.json`), `${JSON.stringify(current)}\n`);
}

/**
 * Takes the session's lifecycle lock (waits up to `timeoutMs`; a holder gone or older than 10 s
 * is broken). Null when it stays busy: the caller then shows nothing rather than risk showing
 * something twice (the next hook will show it).
 */
export async function lockSession(home: string, sessionId: string, timeoutMs = 2500): Promise<HeldLock | null> {
  const name = SAFE.test(sessionId) ? sessionId : 'other';
  const attempt = await acquireFileLock(join(dirOf(home), 'sessions', `${name}.lock`), { staleMs: 10_000, timeoutMs, what: `the Claude Code session ${name}` });
  return 'held' in attempt ? attempt.held : null;
}
