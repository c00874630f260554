import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selectAnnouncement, unanswered } from '../src/core/announce.js';
import type { ChangeEvent } from '../src/core/records.js';
import type { SyncPointState } from '../src/core/state/syncpoints.js';
import type { Priority } from '../src/core/types.js';

const event = (id: string, clock: number, priority: Priority, role = 'frontend'): ChangeEvent => ({
  v: 1, kind: 'event', id, group: 'platform', role: 'auth', session: 'auth-1', at: clock * 1000, clock,
  types: ['schema_change'], summary: `summary of ${id}`, priority: 'normal', source: 'tool',
  targets: [{ role, via: ['gateway'], priority }],
});
const sync = (id: string, remaining: string[], status: SyncPointState['status'] = 'pending'): SyncPointState => ({
  syncPointId: id, description: `sync ${id}`, requestedBy: { session: 'auth-1', role: 'auth' }, participants: ['gateway', 'frontend'],
  acknowledgedBy: [], remaining, status, expiresAt: 10_000_000,
});

test('critical first, then high, oldest first within a priority; the rest counted by priority', () => {
  const pending = [event('n1', 1, 'normal'), event('h1', 2, 'high'), event('c1', 3, 'critical'), event('h2', 4, 'high'), event('l1', 5, 'low')];
  const a = selectAnnouncement(pending, [], { role: 'frontend' });
  assert.equal(a.listed.map((u) => u.event.id), ['c1', 'h1', 'h2']);
  assert.equal(a.listed[1]!.via, ['gateway']);
  assert.equal(a.counted, { critical: 0, high: 0, normal: 1, low: 1 });
  assert.is(a.countedTotal, 2);
  assert.equal(a.eventIds.sort(), ['c1', 'h1', 'h2', 'l1', 'n1']);
  assert.not.ok(a.empty);
});

test('the priority is the one routing gave the receiving role, not the event default', () => {
  const e = event('e1', 1, 'critical');
  assert.is(e.priority, 'normal');
  assert.equal(selectAnnouncement([e], [], { role: 'frontend' }).listed.map((u) => u.priority), ['critical']);
});

test('updates and sync points already announced are not shown again', () => {
  const pending = [event('h1', 1, 'high'), event('h2', 2, 'high')];
  const waiting = [sync('sp1', ['frontend']), sync('sp2', ['frontend'])];
  const a = selectAnnouncement(pending, waiting, { role: 'frontend', announced: new Set(['h1', 'sp1']) });
  assert.equal(a.listed.map((u) => u.event.id), ['h2']);
  assert.equal(a.syncPointIds, ['sp2']);
  const none = selectAnnouncement(pending, waiting, { role: 'frontend', announced: new Set(['h1', 'h2', 'sp1', 'sp2']) });
  assert.ok(none.empty);
  assert.equal(none.eventIds, []);
});

test('at most maxListed lines; urgent ones past the limit are counted', () => {
  const pending = Array.from({ length: 8 }, (_, i) => event(`c${i}`, i, 'critical'));
  const a = selectAnnouncement(pending, [], { role: 'frontend', maxListed: 3 });
  assert.equal(a.listed.map((u) => u.event.id), ['c0', 'c1', 'c2']);
  assert.equal(a.counted.critical, 5);
  assert.is(a.eventIds.length, 8);
});

test('sync points: only pending ones still waiting on the role', () => {
  const waiting = [sync('sp1', ['frontend']), sync('sp2', ['gateway']), sync('sp3', ['frontend'], 'expired')];
  assert.equal(selectAnnouncement([], waiting, { role: 'frontend' }).syncPointIds, ['sp1']);
});

test('listFrom lowers the bar for listing', () => {
  const a = selectAnnouncement([event('n1', 1, 'normal'), event('l1', 2, 'low')], [], { role: 'frontend', listFrom: 'normal' });
  assert.equal(a.listed.map((u) => u.event.id), ['n1']);
  assert.equal(a.counted.low, 1);
});

test('unanswered: unread critical updates and sync points waiting on the role block a stop', () => {
  assert.not.ok(unanswered([event('h1', 1, 'high')], [], 'frontend').block);
  const c = unanswered([event('h1', 1, 'high'), event('c1', 2, 'critical')], [], 'frontend');
  assert.ok(c.block);
  assert.equal(c.critical.map((u) => u.event.id), ['c1']);
  const s = unanswered([], [sync('sp1', ['frontend']), sync('sp2', ['gateway'])], 'frontend');
  assert.ok(s.block);
  assert.equal(s.syncPoints.map((p) => p.syncPointId), ['sp1']);
  assert.not.ok(unanswered([], [sync('sp1', [], 'resolved')], 'frontend').block);
});

test.run();
