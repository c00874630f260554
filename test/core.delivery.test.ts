// Delivery over the one fold: records in, CoordinationState, pending updates out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isPending, pendingUpdates, recipientOf } from '../src/core/state/delivery.js';
import type { PendingOptions, Recipient } from '../src/core/state/delivery.js';
import type { CoordinationState } from '../src/core/state/fold.js';
import { liveness } from '../src/core/state/sessions.js';
import { syncPointState } from '../src/core/state/syncpoints.js';
import type { ChangeEvent, OrchestratorRecord, UpdatesAcknowledged, UpdatesDelivered } from '../src/core/records.js';
import {
  changeEvent, delivered as deliveredRecord, ended, fold, heartbeat, registered, shuffled, syncAcknowledged, syncRequested, worktreeRecord,
} from './helpers/records.js';

const event = (id: string, clock: number, targets: string[], extra: Partial<ChangeEvent> = {}): ChangeEvent =>
  changeEvent(targets, { id, group: 'platform', role: 'auth', session: 'auth-1', at: clock * 1000, clock, summary: id, ...extra });
const delivered = (session: string, role: string, clock: number, eventIds: string[]): UpdatesDelivered =>
  deliveredRecord(eventIds, { id: `d-${session}-${clock}`, group: 'platform', role, session, at: clock * 1000, clock });
const session = (id: string, role: string, clock: number) =>
  registered({ id: `reg-${id}-${clock}`, group: 'platform', role, session: id, clock, at: clock * 1000, repoPath: `/repos/${role}` });
const ids = (page: { updates: ChangeEvent[] }) => page.updates.map((e) => e.id);
const now = 1_000_000;

/** Folds `records` (every session's deliveries kept) and reads pending updates of `sessionId`. */
function pending(records: OrchestratorRecord[], sessionId: string, options: Omit<PendingOptions, 'now'> & { now?: number } = {}) {
  const state = fold(records, { trackAllDeliveries: true });
  return pendingOf(state, sessionId, { now, ...options });
}

function pendingOf(state: CoordinationState, sessionId: string, options: PendingOptions) {
  const { group, facts } = state.findSession(sessionId)!;
  return pendingUpdates(recipientOf(facts), group.eventsByRole, group.deliveries, options);
}

const acknowledged = (sessionId: string, role: string, clock: number, eventIds: string[], note?: string): UpdatesAcknowledged => ({
  v: 1, kind: 'acknowledged', id: `a-${sessionId}-${clock}`, group: 'platform', role, session: sessionId, at: clock * 1000, clock, eventIds, ...(note ? { note } : {}),
});

test('ackRequired: pending after delivery until a session of the role acknowledges; states per role, in any order', () => {
  const records: OrchestratorRecord[] = [
    event('e1', 5, ['gateway', 'frontend'], { ackRequired: true }), session('g1', 'gateway', 6), session('g2', 'gateway', 7),
    delivered('g1', 'gateway', 8, ['e1']),
  ];
  assert.equal(ids(pending(records, 'g1')), ['e1'], 'delivered but not acknowledged: still returned');
  const acked = [...records, acknowledged('g2', 'gateway', 9, ['e1'], 'done')];
  assert.equal(ids(pending(acked, 'g1')), []);
  assert.equal(ids(pending(acked, 'g2')), []);
  for (const order of [acked, shuffled(acked, 1), shuffled(acked, 2)]) {
    const group = fold(order).group('platform');
    const states = group.updateStates.get('e1')!;
    assert.is(states.get('gateway')!.acknowledged!.note, 'done');
    assert.is(states.get('frontend'), undefined, 'frontend: queued');
  }
});

test('sent while no frontend session existed: the next frontend session gets it, once', () => {
  const before = [event('e1', 5, ['gateway', 'frontend']), session('f1', 'frontend', 10)];
  assert.equal(ids(pending(before, 'f1')), ['e1']);
  // f1 received it; a frontend session that registers afterwards does not get old news.
  const after = [...before, delivered('f1', 'frontend', 11, ['e1']), session('f2', 'frontend', 12)];
  assert.equal(ids(pending(after, 'f1')), []);
  assert.equal(ids(pending(after, 'f2')), []);
});

test('sessions of the role registered before the first delivery all get an orphaned event', () => {
  const records = [event('e1', 5, ['frontend']), session('f1', 'frontend', 10), session('f2', 'frontend', 12), delivered('f1', 'frontend', 15, ['e1']), session('f3', 'frontend', 16)];
  assert.equal(ids(pending(records, 'f2')), ['e1']);
  assert.equal(ids(pending(records, 'f3')), []);
});

test('two live sessions of a role each get it once; the sender never gets its own', () => {
  const records = [session('g1', 'gateway', 10), session('g2', 'gateway', 11), session('auth-1', 'auth', 1), session('auth-2', 'auth', 1), event('e1', 20, ['gateway', 'auth'])];
  assert.equal(ids(pending(records, 'g1')), ['e1']);
  assert.equal(ids(pending(records, 'g2')), ['e1']);
  const afterG1 = [...records, delivered('g1', 'gateway', 21, ['e1'])];
  assert.equal(ids(pending(afterG1, 'g1')), []);
  assert.equal(ids(pending(afterG1, 'g2')), ['e1']);
  // The writer is excluded even though its role was listed; another session of the role is not.
  assert.equal(ids(pending(records, 'auth-1')), []);
  assert.equal(ids(pending(records, 'auth-2')), ['e1']);
});

test('targets, groups and retention', () => {
  const cases: Array<[string, ChangeEvent, boolean]> = [
    ['not targeted', event('x', 5, ['frontend']), false],
    ['other group', event('x', 5, ['gateway'], { group: 'other' }), false],
    ['within retention', event('x', 5, ['gateway'], { at: now - 1000 }), true],
    ['at the horizon', event('x', 5, ['gateway'], { at: now - 5000 }), true],
    ['beyond retention', event('x', 5, ['gateway'], { at: now - 5001 }), false],
    ['no writer session (commit ingestion)', event('x', 5, ['gateway'], { session: undefined, at: now }), true],
  ];
  for (const [name, e, expected] of cases) {
    const state = fold([session('g1', 'gateway', 1), e], { trackAllDeliveries: true });
    const { group, facts } = state.findSession('g1')!;
    assert.is(isPending(recipientOf(facts), e, group.deliveries, { now, retentionMs: 5000 }), expected, name);
    assert.is(pendingOf(state, 'g1', { now, retentionMs: 5000 }).updates.length, expected ? 1 : 0, name);
  }
});

test('oldest first by (clock, at, id), paged, in any order read', () => {
  const events = [
    event('c', 3, ['gateway']), event('b', 2, ['gateway'], { at: 9 }), event('a', 2, ['gateway'], { at: 9 }),
    event('z', 2, ['gateway'], { at: 1 }), event('d', 4, ['gateway', 'gateway']),
  ];
  const s = session('g1', 'gateway', 1);
  for (const records of [events, [...events].reverse(), shuffled(events, 7)].map((list) => [s, ...list])) {
    const state = fold(records, { trackAllDeliveries: true });
    const group = state.group('platform');
    const recipient = recipientOf(state.findSession('g1')!.facts);
    for (const source of [[...group.eventsById.values()], group.eventsByRole]) {
      const all = pendingUpdates(recipient, source, group.deliveries, { now });
      assert.equal([ids(all), all.remaining, all.firstPending], [['z', 'a', 'b', 'c', 'd'], 0, 0]);
      const page = pendingUpdates(recipient, source, group.deliveries, { now, limit: 2 });
      assert.equal([ids(page), page.remaining], [['z', 'a'], 3]);
    }
  }
});

test('a scan can start where an earlier one found the first pending event', () => {
  const records = [session('g1', 'gateway', 1), event('a', 1, ['gateway']), event('b', 2, ['gateway']), event('c', 3, ['gateway']), delivered('g1', 'gateway', 9, ['a', 'b'])];
  const state = fold(records, { trackAllDeliveries: true });
  const first = pendingOf(state, 'g1', { now });
  assert.equal([ids(first), first.firstPending], [['c'], 2]);
  const again = pendingOf(state, 'g1', { now, from: first.firstPending });
  assert.equal([ids(again), again.firstPending], [['c'], 2]);
  const none = pendingOf(fold([...records, delivered('g1', 'gateway', 10, ['c'])], { trackAllDeliveries: true }), 'g1', { now, from: 2 });
  assert.equal([ids(none), none.firstPending], [[], 3]);
});

test('a delivery counts for the role on its record (the reader’s role when it read)', () => {
  const records = [event('e1', 5, ['frontend']), session('f2', 'frontend', 10)];
  assert.equal(ids(pending([...records, delivered('f1', 'frontend', 6, ['e1'])], 'f2')), []);
  assert.equal(ids(pending([...records, delivered('f1', 'mislabelled', 6, ['e1'])], 'f2')), ['e1']);
});

test('only tracked sessions keep their delivered ids, unless asked to keep all', () => {
  const records = [session('g1', 'gateway', 1), event('e1', 2, ['gateway']), delivered('g1', 'gateway', 3, ['e1'])];
  const lean = fold(records).group('platform');
  assert.equal([lean.isTracked('g1'), lean.deliveries.firstByRole.get('gateway')?.get('e1')], [false, 3]);
  lean.track('g1', ['e1']);
  assert.ok(lean.deliveries.bySession.get('g1')?.has('e1'));
  assert.ok(fold(records, { trackAllDeliveries: true }).group('platform').deliveries.bySession.get('g1')?.has('e1'));
});

test('the same records in any order fold to the same sessions, sync points and pending updates', () => {
  const at = (clock: number) => ({ group: 'platform', clock, at: clock * 1000 });
  const records: OrchestratorRecord[] = [
    session('g1', 'gateway', 1), session('f1', 'frontend', 2), session('a1', 'auth', 3),
    heartbeat({ ...at(4), id: 'hb-g1-4', role: 'gateway', session: 'g1', currentTask: 'routing' }),
    event('e1', 5, ['gateway', 'frontend']), event('e2', 6, ['gateway']),
    delivered('g1', 'gateway', 7, ['e1']),
    session('g1', 'gateway', 8), // re-registers in place
    event('e3', 9, ['frontend', 'gateway']),
    { ...heartbeat({ ...at(10), id: 'hb-f1-10', role: 'frontend', session: 'f1', currentTask: undefined }), host: 'server', pid: 7 },
    ended({ ...at(11), id: 'end-f1-11', role: 'frontend', session: 'f1' }),
    session('f1', 'frontend', 12), // revives
    session('m1', 'docs', 3), registered({ ...at(13), id: 'reg-m1-13', group: 'shop', role: 'docs', session: 'm1' }), // moves group
    syncRequested({ ...at(14), id: 'sr-1', role: 'auth', session: 'a1', participants: ['gateway', 'frontend'], expiresAt: 900_000, description: 'first' }),
    syncRequested({ ...at(15), id: 'sr-2', role: 'gateway', session: 'g1', participants: ['auth'], expiresAt: 900_000, description: 'second' }),
    syncAcknowledged({ ...at(16), id: 'ack-g1', role: 'gateway', session: 'g1' }),
    syncAcknowledged({ ...at(17), id: 'ack-f1', role: 'frontend', session: 'f1' }),
    worktreeRecord(['a.ts'], { ...at(18), id: 'wt-g1-18', role: 'gateway', session: 'g1' }),
    worktreeRecord(['b.ts'], { ...at(19), id: 'wt-g1-19', role: 'gateway', session: 'g1' }),
    delivered('f1', 'frontend', 20, ['e3']),
  ];
  const snapshot = (state: CoordinationState) => {
    const group = state.group('platform');
    const sessions = [...group.sessions.keys()].sort().map((id) => {
      const facts = group.sessions.get(id)!;
      const status = liveness({ lastSeenAt: facts.lastSeenAt, ended: facts.ended !== undefined }, { now: 25_000, staleAfterMs: 60_000 });
      return { id, facts, status, pending: ids(pendingOf(state, id, { now })) };
    });
    const syncPoints = [...group.syncRequests].sort().map(([id, request]) => syncPointState(request, group.syncAcks.get(id) ?? [], { now }));
    const fromRole = [...group.eventsFromRole].sort().map(([role, list]) => [role, list.map((e) => e.id)]);
    return { sessions, syncPoints, fromRole, groups: state.groupNames().sort(), moved: state.findSession('m1')?.group.name };
  };
  const expected = snapshot(fold(records, { trackAllDeliveries: true }));
  // What the in-order fold says, so the comparison is against known-good values.
  assert.equal(expected.sessions.map((s) => [s.id, s.status, s.facts.firstRegistered.clock, s.facts.host, s.facts.currentTask ?? null, s.pending]), [
    ['a1', 'active', 3, 'laptop', null, []],
    ['f1', 'active', 2, 'laptop', null, ['e1']],
    ['g1', 'active', 1, 'laptop', 'routing', ['e2', 'e3']],
  ]);
  assert.equal(expected.sessions.find((s) => s.id === 'g1')?.facts.worktree?.files, ['b.ts']);
  assert.equal(expected.syncPoints.map((s) => [s.description, s.status]), [['first', 'resolved']]);
  assert.is(expected.moved, 'shop');
  for (let seed = 1; seed <= 25; seed++) {
    const order = shuffled(records, seed);
    assert.equal(snapshot(fold(order, { trackAllDeliveries: true })), expected, `order ${seed}`);
    // Read twice (a remote copy, a re-read): nothing changes.
    assert.equal(snapshot(fold([...order, ...shuffled(order, seed + 100)], { trackAllDeliveries: true })), expected, `order ${seed}, twice`);
  }
});

test('100,000 events stay fast', () => {
  const roles = ['gateway', 'frontend', 'docs', 'billing'];
  const events = Array.from({ length: 100_000 }, (_, i) => event(`e${i}`, i + 1, [roles[i % 4]!, roles[(i + 1) % 4]!]));
  const started = performance.now();
  const state = fold([session('g1', 'gateway', 1), ...events, delivered('g1', 'gateway', 200_000, events.slice(0, 40_000).map((e) => e.id))], { trackAllDeliveries: true });
  // Folding is done once per process (and the machine running tests is shared): a loose bound.
  assert.ok(performance.now() - started < 10_000);
  const asked = performance.now();
  const page = pendingOf(state, 'g1', { now: 1e12, limit: 50 });
  assert.is(page.updates.length, 50);
  assert.is(page.updates.length + page.remaining, 30_000);
  assert.ok(performance.now() - asked < 2000);
});

test('a recipient is built from the first registration of its run', () => {
  const state = fold([session('g1', 'gateway', 1), session('g1', 'gateway', 5)]);
  const recipient: Recipient = recipientOf(state.findSession('g1')!.facts);
  assert.equal(recipient, { id: 'g1', group: 'platform', role: 'gateway', registeredClock: 1, registeredAt: 1000 });
});

test.run();
