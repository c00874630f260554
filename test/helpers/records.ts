// Small valid records for tests.
import { CoordinationState } from '../../src/core/state/fold.js';
import type { FoldOptions } from '../../src/core/state/fold.js';
import type {
  ChangeEvent,
  OrchestratorRecord,
  SessionEnded,
  SessionHeartbeat,
  SessionRegistered,
  SyncAcknowledged,
  SyncRequested,
  TopologyChanged,
  UpdatesDelivered,
  WorkingTreeChanged,
} from '../../src/core/records.js';

let counter = 0;

export function heartbeat(overrides: Partial<SessionHeartbeat> = {}): SessionHeartbeat {
  counter++;
  return {
    v: 1,
    kind: 'session.heartbeat',
    id: `hb-${process.pid}-${counter}`,
    group: 'shop',
    role: 'api',
    session: 'api-1',
    at: 1_700_000_000_000 + counter * 1000,
    clock: counter,
    currentTask: `task ${counter}`,
    ...overrides,
  };
}

export function topologyRecord(action: string, overrides: Partial<TopologyChanged> = {}): TopologyChanged {
  counter++;
  return { v: 1, kind: 'topology', id: `topo-${counter}`, group: 'shop', role: 'cli', at: 1_700_000_000_000, clock: counter, action, ...overrides };
}

/** Fields every record has; a test's overrides replace any of them. */
function base(prefix: string) {
  counter++;
  return { v: 1 as const, id: `${prefix}-${process.pid}-${counter}`, group: 'shop', role: 'api', session: 'api-1', at: 1_700_000_000_000 + counter * 1000, clock: counter };
}

export function registered(overrides: Partial<SessionRegistered> = {}): SessionRegistered {
  return { ...base('reg'), kind: 'session.registered', repoPath: '/repos/api', host: 'laptop', pid: 42, ...overrides };
}

export function ended(overrides: Partial<SessionEnded> = {}): SessionEnded {
  return { ...base('end'), kind: 'session.ended', reason: 'unregistered', ...overrides };
}

/** A change event addressed to `to` (roles). */
export function changeEvent(to: string[], overrides: Partial<ChangeEvent> = {}): ChangeEvent {
  return {
    ...base('ev'), kind: 'event', types: ['schema_change', 'any_change'], summary: 'changed', priority: 'high', source: 'tool',
    targets: to.map((role) => ({ role, via: [], priority: 'high' as const })), ...overrides,
  };
}

export function delivered(eventIds: string[], overrides: Partial<UpdatesDelivered> = {}): UpdatesDelivered {
  return { ...base('dlv'), kind: 'delivered', eventIds, ...overrides };
}

export function syncRequested(overrides: Partial<SyncRequested> = {}): SyncRequested {
  return { ...base('sync'), kind: 'sync.requested', syncPointId: 'sp1', description: 'migrate users', participants: [], expiresAt: 1_800_000_000_000, ...overrides };
}

export function syncAcknowledged(overrides: Partial<SyncAcknowledged> = {}): SyncAcknowledged {
  return { ...base('ack'), kind: 'sync.acknowledged', syncPointId: 'sp1', ...overrides };
}

export function worktreeRecord(files: string[], overrides: Partial<WorkingTreeChanged> = {}): WorkingTreeChanged {
  return { ...base('wt'), kind: 'worktree', files, fileCount: files.length, types: ['any_change'], ...overrides };
}

/** Folds records, in the order given, into a fresh state. */
export function fold(records: Iterable<OrchestratorRecord>, options: FoldOptions = {}): CoordinationState {
  const state = new CoordinationState(options);
  for (const record of records) state.apply(record);
  return state;
}

/** A copy of `items` in a shuffled order, the same for the same seed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed * 2654435761 + 1;
  const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export type { OrchestratorRecord };
