// Sync points as the one fold keeps them: records in, CoordinationState, syncPointState out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ackProblem, participantsFor, syncPointState } from '../src/core/state/syncpoints.js';
import type { SyncPointState } from '../src/core/state/syncpoints.js';
import type { GroupState } from '../src/core/state/fold.js';
import type { OrchestratorRecord, SyncAcknowledged, SyncRequested } from '../src/core/records.js';
import type { Group, Member } from '../src/core/types.js';
import { fold, registered, syncAcknowledged, syncRequested } from './helpers/records.js';

const member = (role: string, dependsOn: string[] = []): Member => ({ path: `/repos/${role}`, role, dependsOn, exports: [] });
const platform: Group = { name: 'platform', members: [member('auth'), member('gateway', ['auth']), member('frontend', ['gateway']), member('docs')], communicationRules: [] };

const request = (participants: string[], expiresAt = 1000, id = 'sp1', extra: Partial<SyncRequested> = {}): SyncRequested =>
  syncRequested({ id: `r-${id}`, group: 'platform', role: 'auth', session: 'auth-1', at: 0, clock: 1, syncPointId: id, participants, expiresAt, ...extra });
let n = 0;
const ack = (session: string, role: string, at: number, syncPointId = 'sp1'): SyncAcknowledged =>
  syncAcknowledged({ id: `a${++n}`, group: 'platform', role, session, at, clock: 10 + at, syncPointId });

/** The role of each session the group knows, as the application looks it up. */
function roleLookup(group: GroupState): Map<string, string> {
  return new Map([...group.sessions].map(([id, facts]) => [id, facts.registered.role]));
}

/** Every sync point of the folded group, by id. */
function syncPoints(records: OrchestratorRecord[], now: number): Map<string, SyncPointState> {
  const group = fold(records).group('platform');
  const out = new Map<string, SyncPointState>();
  for (const [id, req] of group.syncRequests) out.set(id, syncPointState(req, group.syncAcks.get(id) ?? [], { now, roleOfSession: roleLookup(group) }));
  return out;
}

test('resolves when every participating role acked; any session of the role counts', () => {
  const state = syncPoints([request(['gateway', 'frontend']), ack('g2', 'gateway', 100), ack('f1', 'frontend', 200)], 300).get('sp1');
  assert.equal(state, {
    syncPointId: 'sp1', description: 'migrate users', requestedBy: { session: 'auth-1', role: 'auth' },
    participants: ['gateway', 'frontend'], acknowledgedBy: ['gateway', 'frontend'], remaining: [],
    status: 'resolved', expiresAt: 1000, resolvedAt: 200,
  });
});

test('status table', () => {
  const cases: Array<[string, SyncAcknowledged[], number, string, string[]]> = [
    ['nobody acked yet', [], 500, 'pending', ['gateway', 'frontend']],
    ['one of two', [ack('g1', 'gateway', 100)], 500, 'pending', ['frontend']],
    ['duplicate acks of one role', [ack('g1', 'gateway', 100), ack('g2', 'gateway', 110)], 500, 'pending', ['frontend']],
    ['non-participant ignored', [ack('d1', 'docs', 100), ack('g1', 'gateway', 100)], 500, 'pending', ['frontend']],
    ['other sync point ignored', [ack('f1', 'frontend', 100, 'sp2'), ack('g1', 'gateway', 100)], 500, 'pending', ['frontend']],
    ['deadline passed', [ack('g1', 'gateway', 100)], 1001, 'expired', ['frontend']],
    ['pending exactly at the deadline', [], 1000, 'pending', ['gateway', 'frontend']],
    ['ack at the deadline counts', [ack('g1', 'gateway', 100), ack('f1', 'frontend', 1000)], 2000, 'resolved', []],
    ['ack after the deadline does not count: expired wins', [ack('g1', 'gateway', 100), ack('f1', 'frontend', 1001)], 2000, 'expired', ['frontend']],
    ['resolved before the deadline stays resolved', [ack('g1', 'gateway', 100), ack('f1', 'frontend', 900)], 5000, 'resolved', []],
  ];
  for (const [name, acks, now, status, remaining] of cases) {
    for (const records of [[request(['gateway', 'frontend']), ...acks], [...[...acks].reverse(), request(['gateway', 'frontend'])]]) {
      const state = syncPoints(records, now).get('sp1')!;
      assert.is(state.status, status, name);
      assert.equal(state.remaining, remaining, name);
    }
  }
});

test('an acknowledgement read twice counts once', () => {
  const twice = ack('g1', 'gateway', 100);
  const group = fold([request(['gateway', 'frontend']), twice, twice]).group('platform');
  assert.is(group.syncAcks.get('sp1')?.length, 1);
});

test('the role of a registered session overrides the role on the ack record', () => {
  const f1 = registered({ group: 'platform', role: 'frontend', session: 'f1', clock: 1 });
  assert.is(syncPoints([f1, request(['frontend']), ack('f1', 'unknown', 100)], 200).get('sp1')?.status, 'resolved');
});

test('a sync point id requested twice: the first request stands, whatever the order read', () => {
  const first = request(['gateway'], 1000, 'sp1', { id: 'r-first', clock: 1, description: 'first' });
  const second = request(['frontend'], 9000, 'sp1', { id: 'r-second', clock: 5, description: 'second' });
  for (const records of [[first, second], [second, first]]) {
    const group = fold(records).group('platform');
    assert.is(group.syncRequests.get('sp1')?.description, 'first');
    assert.equal(syncPoints([...records, ack('f1', 'frontend', 100)], 200).get('sp1')?.remaining, ['gateway']);
  }
  // Same clock: the earlier wall clock, then the lower record id, decides.
  const sameClock = request(['docs'], 1000, 'sp1', { id: 'r-0', clock: 1, at: 0, description: 'lower id' });
  assert.is(fold([first, sameClock]).group('platform').syncRequests.get('sp1')?.description, 'lower id');
});

test('ackProblem', () => {
  const pending = syncPoints([request(['gateway'])], 0).get('sp1');
  const resolved = syncPoints([request(['gateway']), ack('g1', 'gateway', 1)], 2).get('sp1');
  const expired = syncPoints([request(['gateway'])], 5000).get('sp1');
  const cases: Array<[SyncPointState | undefined, string, string | null]> = [
    [undefined, 'gateway', 'UNKNOWN_SYNC_POINT'],
    [pending, 'docs', 'NOT_A_PARTICIPANT'],
    [pending, 'gateway', null],
    [resolved, 'gateway', 'ALREADY_RESOLVED'],
    [resolved, 'docs', 'NOT_A_PARTICIPANT'],
    [expired, 'gateway', 'EXPIRED'],
  ];
  for (const [state, role, code] of cases) assert.is(ackProblem(state, 'sp1', role)?.code ?? null, code, `${state?.status} ${role}`);
  assert.match(ackProblem(pending, 'sp1', 'docs')!.message, 'participants: gateway');
});

test('participantsFor', () => {
  const cases: Array<[string, Parameters<typeof participantsFor>[2], string[]]> = [
    ['auth', undefined, ['gateway', 'frontend']],
    ['auth', 'dependents', ['gateway', 'frontend']],
    ['gateway', 'all', ['auth', 'frontend', 'docs']],
    ['auth', ['docs', 'ghost', 'docs'], ['docs']],
    ['frontend', 'dependents', []],
    ['docs', ['ghost'], []],
  ];
  for (const [role, target, expected] of cases) assert.equal(participantsFor(platform, role, target), expected, `${role} ${String(target)}`);
});

test('records are grouped by sync point', () => {
  const states = syncPoints([ack('g1', 'gateway', 5, 'b'), request(['gateway'], 1000, 'a'), request(['gateway'], 1000, 'b')], 10);
  assert.equal([...states.values()].map((s) => [s.syncPointId, s.status]).sort(), [['a', 'pending'], ['b', 'resolved']]);
});

test.run();
