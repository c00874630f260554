// A session's liveness, from the facts the fold keeps (`SessionFacts` in ./fold.ts).

export type SessionStatus = 'active' | 'stale' | 'ended';

/** The facts a session's status depends on. */
export interface LivenessFacts {
  /** Wall clock (ms) of the last sign of life (`SessionFacts.lastSeenAt`). */
  lastSeenAt: number;
  /** The session ended after its latest registration (`SessionFacts.ended` is set). */
  ended: boolean;
  /** The caller found the session's process gone (it can only check its own host's). */
  processGone?: boolean;
}

export interface LivenessOptions {
  /** Wall clock (ms) now. */
  now: number;
  /** A session not heard from for longer than this (ms) is stale. */
  staleAfterMs: number;
}

/**
 * Ended beats everything (a registration after the end revives the session: the fold then
 * reports it not ended); a session whose process is known to be gone is stale at once, without
 * waiting for heartbeats to lapse; otherwise stale after `staleAfterMs` of silence.
 */
export function liveness(facts: LivenessFacts, options: LivenessOptions): SessionStatus {
  if (facts.ended) return 'ended';
  if (facts.processGone) return 'stale';
  return options.now - facts.lastSeenAt > options.staleAfterMs ? 'stale' : 'active';
}
