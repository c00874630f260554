// What every operation is given: the coordination repo, the topology, settings, the process's
// facts, and the state folded from the records read so far. One context per process, built by
// that process's composition root; operations hold no state of their own.
import type { HomePaths } from '../config/home.js';
import type { Topology } from '../core/types.js';
import { CoordinationState } from '../core/state/fold.js';
import type { CoordinationStore } from '../store/index.js';
import { RecordIndex } from './record-index.js';
import type { RestWanted } from './checkpoint.js';
import type { Settings } from './settings.js';
import type { UnrepliedPages } from './unreplied.js';
import type { PeerClocks } from './peer-clocks.js';

/** The process-level facts the application is given: clock, host, pid and a liveness check. */
export interface Environment {
  /** Wall clock, ms since the epoch. */
  now: () => number;
  host: string;
  /** The process a session registered from here follows for liveness (a server: itself; a hook: its client). */
  pid: number;
  /** Whether a process of this host is gone (lets a killed local session show stale at once). */
  processGone: (pid: number) => boolean;
  /**
   * Named points where a fault test stops this process (`CLAUDE_ORCHESTRATOR_FAILPOINT`, see
   * docs/data-model.md#faults); absent in normal runs.
   */
  failpoint?: (name: 'delivered-before-reply') => void;
}

export interface TopologySource {
  /** The current topology; throws a UserError (TOPOLOGY_INVALID) when the file is invalid. */
  current(): Promise<Topology>;
  /** The topology if something already loaded it, without loading it (it costs YAML and schema imports). */
  loaded?(): Promise<Topology | undefined>;
  /**
   * topology.yml as it is now (or the repo's copy when the file is missing), validated but never
   * recorded: for readers that must not write (the dashboard). `problems`: each error, one line.
   */
  inspect(): Promise<{ topology: Topology | null; problems: string[] }>;
}

/** What the process around the application wants to hear of (set by the composition root). */
export interface AppListeners {
  /** After any record is written: e.g. a background share soon after. */
  written?(): void;
  /** This process now answers for a session: e.g. watch its repo. */
  owned?(session: { sessionId: string; group: string; role: string; repoPath: string }): void;
  /** This process no longer answers for it. */
  released?(sessionId: string): void;
}

/** Sessions this process answers for: it keeps them alive and ends them when it exits. */
export interface ServedSessions {
  readonly ids: Set<string>;
  /** Per session: when this process last wrote a heartbeat record for it, and the task it named. */
  readonly lastHeartbeat: Map<string, { at: number; task?: string }>;
}

export interface AppContext {
  /** Where the orchestrator keeps its files (topology.yml, share state, caches). */
  readonly paths: HomePaths;
  readonly store: CoordinationStore;
  readonly topology: TopologySource;
  readonly settings: Settings;
  readonly env: Environment;
  /** Every record read so far, folded (see src/core/state). */
  readonly state: CoordinationState;
  /** Reads only what is new since the last refresh, into `state`. */
  readonly records: RecordIndex;
  readonly served: ServedSessions;
  listeners: AppListeners;
  /**
   * The client session this process serves (a Claude Code session id), if any: registrations
   * made through it map to the same orchestrator session as the client's hooks.
   */
  clientSession: string | undefined;
  /** Problems of the process worth telling callers (e.g. a remote that fails to share). */
  notices: () => string[];
  /**
   * The highest clock of a lean start from the checkpoint (app/checkpoint.ts): the fold holds the
   * updates any session registering later could be sent, but not every older one. 0 when the fold
   * is complete (no checkpoint, a full start, or `completeState()` done).
   */
  leanUpTo(): number;
  /**
   * Folds in, from the checkpoint's rest file, what a lean start left out and `wanted` asks for
   * (default: all of it): `since`, before answering for a session registered at or below
   * `leanUpTo()` (the updates its role could still owe it: a few, for a session of hours, not
   * the history); `ids`, for updates asked for by id that the fold does not hold. Resolves at
   * once when there is nothing to add. Never rejects for a missing or replaced checkpoint: it
   * reads the retained history from the store instead.
   */
  completeState(wanted?: RestWanted): Promise<void>;
  /**
   * Delivered event ids a read cache already holds for a session, so loading them does not
   * read the session's ref again (hook processes); undefined: read them from the store.
   */
  knownDeliveries?: (sessionId: string) => Iterable<string> | undefined;
  /**
   * Notes of pages recorded delivered whose reply is not yet written (app/unreplied.ts): what a
   * process killed in between left is offered again. Undefined: pages are not noted.
   */
  unreplied?: UnrepliedPages;
  /** Other machines' clock offsets, learnt from arrivals (app/peer-clocks.ts). Undefined: none applied. */
  peerClocks?: PeerClocks;
}

export interface ContextDeps {
  paths: HomePaths;
  store: CoordinationStore;
  topology: TopologySource;
  settings: Settings;
  env: Environment;
  knownDeliveries?: (sessionId: string) => Iterable<string> | undefined;
  unreplied?: UnrepliedPages;
  peerClocks?: PeerClocks;
}

/** A context with an empty fold: the first operation's refresh reads the repo. */
export function createContext(deps: ContextDeps): AppContext {
  const state = new CoordinationState();
  const records = new RecordIndex(deps.store, (entry) => state.apply(entry.record), () => deps.env.now() - deps.settings.retentionMs);
  return {
    ...deps,
    state,
    records,
    served: { ids: new Set(), lastHeartbeat: new Map() },
    listeners: {},
    clientSession: undefined,
    notices: () => [],
    leanUpTo: () => 0,
    completeState: async () => {},
  };
}
