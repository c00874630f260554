// Small valid records for tests.
import type { OrchestratorRecord, SessionHeartbeat, TopologyChanged } from '../../src/core/records.js';

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

export type { OrchestratorRecord };
