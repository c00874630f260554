// A Claude Code process through its life, as the orchestrator sees it: a small state machine
// over the client's lifecycle events. Pure: the caller reads the state (where it is held:
// app/client-binding.ts and the session's `announced` records), asks `lifecycleStep` what to do,
// and writes the result back under one lock.
//
// States of one Claude Code process (one pid on one host):
//   unbound  — no live orchestrator session is known for it.
//   bound    — it is orchestrator session S; it has shown contexts C (Claude Code session ids:
//              one per conversation — a new one after /clear, the same after --resume/compact).
// What a bound process has been shown is the union of S's `announced` records; a context that
// starts from nothing (startup, clear, compact, an id never seen) is shown everything pending
// again, a context that carries its transcript (resume, fork) only what was never announced.

/** Claude Code's lifecycle events that reach the orchestrator (hooks), with the client session id. */
export type LifecycleEvent =
  /** SessionStart, with its `source` (startup | resume | clear | compact | fork; unknown values count as startup). */
  | { kind: 'session-start'; source: string | null }
  /** UserPromptSubmit or PostToolUse: the per-prompt hooks (many may run concurrently). */
  | { kind: 'prompt' }
  /** Stop: read-only. */
  | { kind: 'stop' };

/** What the caller found before the step. */
export interface LifecycleFacts {
  /** A live orchestrator session is known for this process (by its client session id, its pid binding or its pid as owner). */
  bound: boolean;
  /** This client session id was already seen as a context of the bound session. */
  contextSeen: boolean;
}

/** What to show: everything pending, only what was never announced, or nothing. */
export type ShowRule = 'everything' | 'new' | 'nothing';

export interface LifecycleStep {
  /** Register a session for the project directory (only SessionStart registers: the per-prompt path stays cheap). */
  register: boolean;
  /** Note this client session id as a context of the session (the binding). */
  noteContext: boolean;
  show: ShowRule;
}

/** Where a SessionStart source leaves the model's context. */
export function contextAfter(source: string | null): 'empty' | 'transcript' {
  // resume and fork replay the transcript, earlier hook output included; compaction replaces
  // it with a summary that need not keep our lines, so it counts as empty (shown again).
  return source === 'resume' || source === 'fork' ? 'transcript' : 'empty';
}

/**
 * The transition: given the event and what is known, what to register, record and show.
 * - SessionStart: binds (registering when needed); an empty context is shown everything pending,
 *   a replayed transcript only what was never announced.
 * - prompt: unbound shows nothing (no registration per prompt); bound with an unseen id is a
 *   context that started without a SessionStart (Claude Code does not always send one after
 *   /clear): everything; otherwise only the new.
 * - stop: never shows or records (the Stop rule is separate: core/announce `unanswered`).
 */
export function lifecycleStep(event: LifecycleEvent, facts: LifecycleFacts): LifecycleStep {
  switch (event.kind) {
    case 'session-start': {
      const empty = contextAfter(event.source) === 'empty';
      return { register: !facts.bound, noteContext: true, show: empty ? 'everything' : 'new' };
    }
    case 'prompt':
      if (!facts.bound) return { register: false, noteContext: false, show: 'nothing' };
      return facts.contextSeen ? { register: false, noteContext: false, show: 'new' } : { register: false, noteContext: true, show: 'everything' };
    case 'stop':
      return { register: false, noteContext: false, show: 'nothing' };
  }
}
