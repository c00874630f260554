// A session's state, folded from its registration, heartbeat and end records.
import { compareRecords } from './order.js';
import type { OrchestratorRecord, SessionEnded, SessionHeartbeat, SessionRegistered } from './records.js';

export type SessionStatus = 'active' | 'stale' | 'ended';

export interface SessionState {
  sessionId: string;
  group: string;
  role: string;
  repoPath: string;
  currentTask?: string;
  status: SessionStatus;
  /** Wall clock of the last sign of life (registration or heartbeat). */
  lastHeartbeat: number;
  host: string;
  pid: number;
  clientSession?: string;
  /** Clock and wall clock of the session's first registration in its current group and role. */
  registeredClock: number;
  registeredAt: number;
  endedAt?: number;
  endReason?: string;
}

export interface SessionOptions {
  now: number;
  /** A session not heard from for longer than this is stale. */
  staleAfterMs: number;
  /**
   * Processes known to be gone, as `pidKey(host, pid)`: such sessions are stale at once.
   * The caller finds them out; the core only reads the answer.
   */
  deadPids?: ReadonlySet<string>;
}

/** The facts a session's status depends on. */
export interface LivenessFacts {
  /** Wall clock of the last sign of life. */
  lastSeenAt: number;
  ended: boolean;
  /** The caller found the session's process gone (it can only check its own host's). */
  processGone?: boolean;
}

/**
 * Ended beats everything; a session whose process is known to be gone is stale at once,
 * without waiting for heartbeats to lapse; otherwise stale after `staleAfterMs` of silence.
 */
export function liveness(facts: LivenessFacts, options: Pick<SessionOptions, 'now' | 'staleAfterMs'>): SessionStatus {
  if (facts.ended) return 'ended';
  if (facts.processGone) return 'stale';
  return options.now - facts.lastSeenAt > options.staleAfterMs ? 'stale' : 'active';
}

type SessionRecord = SessionRegistered | SessionHeartbeat | SessionEnded;

export function pidKey(host: string, pid: number): string {
  return `${host}:${pid}`;
}

function isSessionRecord(r: OrchestratorRecord): r is SessionRecord {
  return r.kind === 'session.registered' || r.kind === 'session.heartbeat' || r.kind === 'session.ended';
}

/** State of each session found in `records` (other kinds are skipped), in registration order. */
export function sessionStates(records: Iterable<OrchestratorRecord>, options: SessionOptions): SessionState[] {
  const bySession = new Map<string, SessionRecord[]>();
  for (const r of records) {
    if (!isSessionRecord(r)) continue;
    const list = bySession.get(r.session);
    if (list) list.push(r);
    else bySession.set(r.session, [r]);
  }
  const states: SessionState[] = [];
  for (const list of bySession.values()) {
    const state = sessionState(list, options);
    if (state) states.push(state);
  }
  return states.sort((a, b) => a.registeredClock - b.registeredClock || a.registeredAt - b.registeredAt || (a.sessionId < b.sessionId ? -1 : 1));
}

/**
 * State of one session from its own records, or null if it never registered.
 * The latest registration wins; an end after it ends the session, a registration after an
 * end revives it. Ended beats stale.
 */
export function sessionState(records: Iterable<SessionRecord>, options: SessionOptions): SessionState | null {
  const sorted = [...records].sort(compareRecords);
  let reg: SessionRegistered | undefined;
  let first: SessionRegistered | undefined;
  let ended: SessionEnded | undefined;
  let task: string | undefined;
  let lastSeen = -Infinity;
  let owner: { host: string; pid: number } | undefined;

  for (const r of sorted) {
    if (r.kind === 'session.registered') {
      // Re-registering elsewhere starts over; re-registering in place keeps the first clock,
      // so updates sent in between stay pending.
      if (!first || first.group !== r.group || first.role !== r.role) first = r;
      reg = r;
      ended = undefined;
      task = r.currentTask;
      owner = { host: r.host, pid: r.pid };
      lastSeen = Math.max(lastSeen, r.at);
    } else if (r.kind === 'session.heartbeat') {
      if (r.currentTask !== undefined) task = r.currentTask;
      // A heartbeat naming a host and pid hands the session to that process (a takeover).
      const { host, pid } = r as { host?: unknown; pid?: unknown };
      if (typeof host === 'string' && typeof pid === 'number') owner = { host, pid };
      lastSeen = Math.max(lastSeen, r.at);
    } else if (reg) {
      ended = r;
    }
  }
  if (!reg || !first || !owner) return null;

  const processGone = options.deadPids?.has(pidKey(owner.host, owner.pid)) ?? false;
  const status = liveness({ lastSeenAt: lastSeen, ended: ended !== undefined, processGone }, options);
  return {
    sessionId: reg.session,
    group: reg.group,
    role: reg.role,
    repoPath: reg.repoPath,
    ...(task !== undefined ? { currentTask: task } : {}),
    status,
    lastHeartbeat: lastSeen,
    host: owner.host,
    pid: owner.pid,
    ...(reg.clientSession !== undefined ? { clientSession: reg.clientSession } : {}),
    registeredClock: first.clock,
    registeredAt: first.at,
    ...(ended ? { endedAt: ended.at, endReason: ended.reason } : {}),
  };
}
