import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { indexDeliveries, indexEventsByRole, isPending, pendingUpdates } from '../src/core/delivery.js';
import type { Recipient } from '../src/core/delivery.js';
import type { ChangeEvent, UpdatesDelivered } from '../src/core/records.js';

const event = (id: string, clock: number, targets: string[], extra: Partial<ChangeEvent> = {}): ChangeEvent => ({
  v: 1, kind: 'event', id, group: 'platform', role: 'auth', session: 'auth-1', at: clock * 1000, clock,
  types: ['schema_change', 'any_change'], summary: id, priority: 'high', source: 'tool',
  targets: targets.map((role) => ({ role, via: [], priority: 'high' })), ...extra,
});
const delivered = (session: string, role: string, clock: number, eventIds: string[]): UpdatesDelivered => ({
  v: 1, kind: 'delivered', id: `d-${session}-${clock}`, group: 'platform', role, session, at: clock * 1000, clock, eventIds,
});
const session = (id: string, role: string, registeredClock: number): Recipient => ({ id, group: 'platform', role, registeredClock, registeredAt: registeredClock * 1000 });
const ids = (page: { updates: ChangeEvent[] }) => page.updates.map((e) => e.id);
const now = 1_000_000;

test('sent while no frontend session existed: the next frontend session gets it, once', () => {
  const events = [event('e1', 5, ['gateway', 'frontend'])];
  const f1 = session('f1', 'frontend', 10);
  assert.equal(ids(pendingUpdates(f1, events, indexDeliveries([]), { now })), ['e1']);
  // f1 received it; a frontend session that registers afterwards does not get old news.
  const after = indexDeliveries([delivered('f1', 'frontend', 11, ['e1'])]);
  assert.equal(ids(pendingUpdates(f1, events, after, { now })), []);
  assert.equal(ids(pendingUpdates(session('f2', 'frontend', 12), events, after, { now })), []);
});

test('sessions of the role registered before the first delivery all get an orphaned event', () => {
  const events = [event('e1', 5, ['frontend'])];
  const deliveries = indexDeliveries([delivered('f1', 'frontend', 15, ['e1'])]);
  assert.equal(ids(pendingUpdates(session('f2', 'frontend', 12), events, deliveries, { now })), ['e1']);
  assert.equal(ids(pendingUpdates(session('f3', 'frontend', 16), events, deliveries, { now })), []);
});

test('two live sessions of a role each get it once; the sender never gets its own', () => {
  const events = [event('e1', 20, ['gateway', 'auth'])];
  const g1 = session('g1', 'gateway', 10);
  const g2 = session('g2', 'gateway', 11);
  const none = indexDeliveries([]);
  assert.equal(ids(pendingUpdates(g1, events, none, { now })), ['e1']);
  assert.equal(ids(pendingUpdates(g2, events, none, { now })), ['e1']);
  const afterG1 = indexDeliveries([delivered('g1', 'gateway', 21, ['e1'])]);
  assert.equal(ids(pendingUpdates(g1, events, afterG1, { now })), []);
  assert.equal(ids(pendingUpdates(g2, events, afterG1, { now })), ['e1']);
  // The writer is excluded even though its role was listed; another session of the role is not.
  assert.equal(ids(pendingUpdates(session('auth-1', 'auth', 1), events, none, { now })), []);
  assert.equal(ids(pendingUpdates(session('auth-2', 'auth', 1), events, none, { now })), ['e1']);
});

test('targets, groups and retention', () => {
  const s = session('g1', 'gateway', 1);
  const cases: Array<[string, ChangeEvent, boolean]> = [
    ['not targeted', event('x', 5, ['frontend']), false],
    ['other group', event('x', 5, ['gateway'], { group: 'other' }), false],
    ['within retention', event('x', 5, ['gateway'], { at: now - 1000 }), true],
    ['at the horizon', event('x', 5, ['gateway'], { at: now - 5000 }), true],
    ['beyond retention', event('x', 5, ['gateway'], { at: now - 5001 }), false],
    ['no writer session (commit ingestion)', event('x', 5, ['gateway'], { session: undefined, at: now }), true],
  ];
  for (const [name, e, expected] of cases) {
    assert.is(isPending(s, e, indexDeliveries([]), { now, retentionMs: 5000 }), expected, name);
    assert.is(pendingUpdates(s, [e], indexDeliveries([]), { now, retentionMs: 5000 }).updates.length, expected ? 1 : 0, name);
  }
});

test('oldest first by (clock, at, id), paged', () => {
  const events = [
    event('c', 3, ['gateway']), event('b', 2, ['gateway'], { at: 9 }), event('a', 2, ['gateway'], { at: 9 }),
    event('z', 2, ['gateway'], { at: 1 }), event('d', 4, ['gateway', 'gateway']),
  ];
  const s = session('g1', 'gateway', 1);
  const byRole = indexEventsByRole(events);
  for (const source of [events, byRole]) {
    assert.equal(pendingUpdates(s, source, indexDeliveries([]), { now }), { updates: [events[3]!, events[2]!, events[1]!, events[0]!, events[4]!], remaining: 0, firstPending: 0 });
    const page = pendingUpdates(s, source, indexDeliveries([]), { now, limit: 2 });
    assert.equal([ids(page), page.remaining], [['z', 'a'], 3]);
  }
});

test('a scan can start where an earlier one found the first pending event', () => {
  const events = [event('a', 1, ['gateway']), event('b', 2, ['gateway']), event('c', 3, ['gateway'])];
  const byRole = indexEventsByRole(events);
  const s = session('g1', 'gateway', 1);
  const delivered = indexDeliveries([{ session: 'g1', role: 'gateway', clock: 9, eventIds: ['a', 'b'] }]);
  const first = pendingUpdates(s, byRole, delivered, { now });
  assert.equal([ids(first), first.firstPending], [['c'], 2]);
  const again = pendingUpdates(s, byRole, delivered, { now, from: first.firstPending });
  assert.equal([ids(again), again.firstPending], [['c'], 2]);
  const none = pendingUpdates(s, byRole, indexDeliveries([{ session: 'g1', role: 'gateway', clock: 9, eventIds: ['a', 'b', 'c'] }]), { now, from: 2 });
  assert.equal([ids(none), none.firstPending], [[], 3]);
});

test('role of a delivering session can come from a lookup', () => {
  const events = [event('e1', 5, ['frontend'])];
  const deliveries = indexDeliveries([delivered('f1', 'mislabelled', 6, ['e1'])], new Map([['f1', 'frontend']]));
  assert.equal(ids(pendingUpdates(session('f2', 'frontend', 10), events, deliveries, { now })), []);
});

test('100,000 events stay fast', () => {
  const roles = ['gateway', 'frontend', 'docs', 'billing'];
  const events = Array.from({ length: 100_000 }, (_, i) => event(`e${i}`, i + 1, [roles[i % 4]!, roles[(i + 1) % 4]!]));
  const deliveries = indexDeliveries([delivered('g1', 'gateway', 200_000, events.slice(0, 40_000).map((e) => e.id))]);
  const started = performance.now();
  const byRole = indexEventsByRole(events);
  const page = pendingUpdates(session('g1', 'gateway', 1), byRole, deliveries, { now: 1e12, limit: 50 });
  assert.is(page.updates.length, 50);
  assert.is(page.updates.length + page.remaining, 30_000);
  assert.ok(performance.now() - started < 2000);
});

test.run();
