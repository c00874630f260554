import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ackProblem, participantsFor, syncPointState, syncPointStates } from '../src/core/syncpoints.js';
import type { SyncAcknowledged, SyncRequested } from '../src/core/records.js';
import type { Group, Member } from '../src/core/types.js';

const member = (role: string, dependsOn: string[] = []): Member => ({ path: `/repos/${role}`, role, dependsOn, exports: [] });
const platform: Group = { name: 'platform', members: [member('auth'), member('gateway', ['auth']), member('frontend', ['gateway']), member('docs')], communicationRules: [] };

const request = (participants: string[], expiresAt = 1000, id = 'sp1'): SyncRequested => ({
  v: 1, kind: 'sync.requested', id: `r-${id}`, group: 'platform', role: 'auth', session: 'auth-1', at: 0, clock: 1,
  syncPointId: id, description: 'migrate users', participants, expiresAt,
});
let n = 0;
const ack = (session: string, role: string, at: number, syncPointId = 'sp1'): SyncAcknowledged => ({
  v: 1, kind: 'sync.acknowledged', id: `a${++n}`, group: 'platform', role, session, at, clock: 10 + at, syncPointId,
});

test('resolves when every participating role acked; any session of the role counts', () => {
  const state = syncPointState(request(['gateway', 'frontend']), [ack('g2', 'gateway', 100), ack('f1', 'frontend', 200)], { now: 300 });
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
    const state = syncPointState(request(['gateway', 'frontend']), acks, { now });
    assert.is(state.status, status, name);
    assert.equal(state.remaining, remaining, name);
  }
});

test('role lookup overrides the role on the ack record', () => {
  const state = syncPointState(request(['frontend']), [ack('f1', 'unknown', 100)], { now: 200, roleOfSession: new Map([['f1', 'frontend']]) });
  assert.is(state.status, 'resolved');
});

test('ackProblem', () => {
  const pending = syncPointState(request(['gateway']), [], { now: 0 });
  const resolved = syncPointState(request(['gateway']), [ack('g1', 'gateway', 1)], { now: 2 });
  const expired = syncPointState(request(['gateway']), [], { now: 5000 });
  const cases: Array<[typeof pending | undefined, string, string | null]> = [
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

test('syncPointStates groups records by sync point', () => {
  const states = syncPointStates([ack('g1', 'gateway', 5, 'b'), request(['gateway'], 1000, 'a'), request(['gateway'], 1000, 'b')], { now: 10 });
  assert.equal(states.map((s) => [s.syncPointId, s.status]), [['a', 'pending'], ['b', 'resolved']]);
});

test.run();
