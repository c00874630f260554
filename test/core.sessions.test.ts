// Sessions as the one fold keeps them: records in, CoordinationState, liveness out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { liveness } from '../src/core/state/sessions.js';
import { pendingUpdates, recipientOf } from '../src/core/state/delivery.js';
import type { SessionFacts } from '../src/core/state/fold.js';
import type { OrchestratorRecord, SessionEnded, SessionHeartbeat, SessionRegistered } from '../src/core/records.js';
import { changeEvent, delivered, ended as endedRecord, fold, heartbeat as heartbeatRecord, registered as registeredRecord } from './helpers/records.js';

const where = (session: string, clock: number, at: number) => ({ id: `${session}-${clock}`, group: 'platform', role: 'auth', session, clock, at });
const registered = (session: string, clock: number, at: number, extra: Partial<SessionRegistered> = {}): SessionRegistered =>
  registeredRecord({ ...where(session, clock, at), repoPath: '/repos/auth', host: 'laptop', pid: 42, ...extra });
const heartbeat = (session: string, clock: number, at: number, currentTask?: string): SessionHeartbeat => {
  const { currentTask: _none, ...record } = heartbeatRecord(where(session, clock, at));
  return currentTask ? { ...record, currentTask } : record;
};
const ended = (session: string, clock: number, at: number): SessionEnded => endedRecord(where(session, clock, at));
const opts = { now: 10_000, staleAfterMs: 5_000 };

/** The session's facts after folding `records`, in the order given. */
function facts(records: OrchestratorRecord[], session = 's'): SessionFacts | undefined {
  return fold(records).findSession(session)?.facts;
}

/** Status as the application computes it; `dead` lists processes known gone, as `host:pid`. */
function status(found: SessionFacts | undefined, dead: ReadonlySet<string> = new Set()): string | undefined {
  if (!found) return undefined;
  return liveness({ lastSeenAt: found.lastSeenAt, ended: found.ended !== undefined, processGone: dead.has(`${found.host}:${found.pid}`) }, opts);
}

test('folds registration and heartbeats, in any order', () => {
  const found = facts([heartbeat('s', 3, 8000, 'migrating'), registered('s', 1, 1000, { currentTask: 'start' }), heartbeat('s', 2, 6000)]);
  assert.equal(
    [found?.registered.role, found?.registered.repoPath, found?.currentTask, found?.lastSeenAt, found?.host, found?.pid, found?.firstRegistered.clock, found?.firstRegistered.at, found?.lastHeartbeat?.clock],
    ['auth', '/repos/auth', 'migrating', 8000, 'laptop', 42, 1, 1000, 3],
  );
  assert.is(status(found), 'active');
});

test('status table', () => {
  const cases: Array<[string, OrchestratorRecord[], Set<string>, string]> = [
    ['fresh', [registered('s', 1, 9000)], new Set(), 'active'],
    ['silent at the limit', [registered('s', 1, 5000)], new Set(), 'active'],
    ['silent too long', [registered('s', 1, 4999)], new Set(), 'stale'],
    ['heartbeat keeps it alive', [registered('s', 1, 1000), heartbeat('s', 2, 9000)], new Set(), 'active'],
    ['ended', [registered('s', 1, 9000), ended('s', 2, 9500)], new Set(), 'ended'],
    ['ended beats dead process', [registered('s', 1, 9000), ended('s', 2, 9500)], new Set(['laptop:42']), 'ended'],
    ['ended beats stale', [registered('s', 1, 1000), ended('s', 2, 1500)], new Set(), 'ended'],
    ['re-registered after end', [registered('s', 1, 1000), ended('s', 2, 2000), registered('s', 3, 9000)], new Set(), 'active'],
    ['re-registered after end, read backwards', [registered('s', 3, 9000), ended('s', 2, 2000), registered('s', 1, 1000)], new Set(), 'active'],
    ['known dead process: stale at once', [registered('s', 1, 9999)], new Set(['laptop:42']), 'stale'],
    ['same pid on another host is not this one', [registered('s', 1, 9999)], new Set(['server:42']), 'active'],
  ];
  for (const [name, records, dead, expected] of cases) assert.is(status(facts(records), dead), expected, name);
});

test('end details, latest registration, first registration clock', () => {
  const found = facts([registered('s', 1, 1000), registered('s', 4, 3000, { pid: 7, currentTask: 'again' }), heartbeat('s', 5, 3500), ended('s', 6, 4000)]);
  assert.equal(
    [found?.pid, found?.currentTask, found?.firstRegistered.clock, status(found), found?.ended?.at, found?.ended?.reason],
    [7, 'again', 1, 'ended', 4000, 'unregistered'],
  );
  const moved = facts([registered('s', 1, 1000), registered('s', 4, 3000, { role: 'gateway' })]);
  assert.equal([moved?.registered.role, moved?.firstRegistered.clock], ['gateway', 4]);
  assert.is(facts([heartbeat('s', 1, 1000)]), undefined);
});

test('a registration without a task keeps the task named before', () => {
  assert.is(facts([registered('s', 1, 1000, { currentTask: 'first' }), heartbeat('s', 2, 2000, 'second'), registered('s', 3, 3000)])?.currentTask, 'second');
  assert.is(facts([registered('s', 3, 3000), heartbeat('s', 2, 2000, 'second'), registered('s', 1, 1000, { currentTask: 'first' })])?.currentTask, 'second');
});

test('a heartbeat naming a host and pid takes the session over', () => {
  const takeover: SessionHeartbeat = { ...heartbeat('s', 2, 9000), host: 'server', pid: 7 };
  const found = facts([registered('s', 1, 1000), takeover]);
  assert.equal([found?.host, found?.pid, status(found, new Set(['laptop:42']))], ['server', 7, 'active']);
  // A later registration takes it back, whichever is read first.
  assert.is(facts([registered('s', 1, 1000), takeover, registered('s', 3, 9500)])?.host, 'laptop');
  assert.is(facts([registered('s', 3, 9500), takeover, registered('s', 1, 1000)])?.host, 'laptop');
});

test('sessions are picked out of a mixed stream', () => {
  const records: OrchestratorRecord[] = [
    registered('b', 2, 9000), heartbeat('a', 3, 9000), registered('a', 1, 9000), heartbeat('orphan', 4, 9000),
    { ...where('x', 5, 9000), v: 1, kind: 'topology', action: 'edited' },
  ];
  const group = fold(records).group('platform');
  assert.equal([...group.sessions.keys()].sort(), ['a', 'b']);
  assert.is(group.roleOfSession('a'), 'auth');
  assert.is(group.roleOfSession('orphan'), undefined);
});

test('re-registering in the same group and role keeps the first clock: updates sent in between stay pending', () => {
  // s registers, goes away; an update for its role is read by another session of the role; s
  // registers again. The update came after s's first registration, so s must still get it.
  const records: OrchestratorRecord[] = [
    registered('s', 1, 1000),
    changeEvent(['auth'], { id: 'e1', group: 'platform', role: 'gateway', session: 'g1', clock: 2, at: 2000 }),
    registered('other', 2, 2100),
    delivered(['e1'], { group: 'platform', role: 'auth', session: 'other', clock: 3, at: 2500 }),
    registered('s', 4, 3000),
  ];
  for (const order of [records, [...records].reverse()]) {
    const state = fold(order, { trackAllDeliveries: true });
    const { group, facts: found } = state.findSession('s')!;
    assert.is(found.registered.clock, 4);
    assert.is(found.firstRegistered.clock, 1);
    const page = pendingUpdates(recipientOf(found), group.eventsByRole, group.deliveries, { now: opts.now });
    assert.equal(page.updates.map((e) => e.id), ['e1']);
  }
});

test('re-registering after an end keeps the first clock; another role starts over', () => {
  const revived = facts([registered('s', 1, 1000), ended('s', 2, 2000), registered('s', 3, 9000)]);
  assert.equal([revived?.firstRegistered.clock, revived?.ended], [1, undefined]);
  const elsewhere = facts([registered('s', 1, 1000), registered('s', 2, 2000, { role: 'gateway' }), registered('s', 3, 3000, { role: 'gateway' })]);
  assert.equal([elsewhere?.registered.role, elsewhere?.firstRegistered.clock], ['gateway', 2]);
  // Back to the first role: a new run, not the first registration of all.
  const back = facts([registered('s', 1, 1000), registered('s', 2, 2000, { role: 'gateway' }), registered('s', 3, 3000)]);
  assert.equal([back?.registered.role, back?.firstRegistered.clock], ['auth', 3]);
});

test('a session registered in another group moves there, in any order', () => {
  const records: OrchestratorRecord[] = [
    registered('s', 1, 1000), heartbeat('s', 2, 2000, 'in platform'),
    registered('s', 3, 3000, { group: 'shop' }),
    registered('s', 5, 5000), // and back: a new run
  ];
  for (const order of [records, [...records].reverse(), [records[2]!, records[0]!, records[3]!, records[1]!]]) {
    const state = fold(order);
    assert.is(state.findSession('s')?.group.name, 'platform');
    assert.is(state.findSession('s')?.facts.firstRegistered.clock, 5);
    assert.is(state.group('shop').sessions.has('s'), false);
  }
  const moved = fold(records.slice(0, 3));
  assert.equal([moved.findSession('s')?.group.name, moved.group('platform').sessions.has('s')], ['shop', false]);
});

test('sessions of a client, latest registration first', () => {
  const state = fold([
    registered('a', 1, 1000, { clientSession: 'c1' }), registered('b', 2, 2000, { clientSession: 'c1', group: 'shop' }), registered('c', 3, 3000, { clientSession: 'c2' }),
  ]);
  assert.equal(state.sessionsOfClient('c1').map((s) => [s.group.name, s.facts.registered.session]), [['shop', 'b'], ['platform', 'a']]);
  assert.equal(state.groupNames().sort(), ['platform', 'shop']);
});

test('liveness on bare facts', () => {
  const cases: Array<[Parameters<typeof liveness>[0], string]> = [
    [{ lastSeenAt: 9000, ended: false }, 'active'],
    [{ lastSeenAt: 1000, ended: false }, 'stale'],
    [{ lastSeenAt: 9000, ended: false, processGone: true }, 'stale'],
    [{ lastSeenAt: 9000, ended: true, processGone: true }, 'ended'],
  ];
  for (const [bare, expected] of cases) assert.is(liveness(bare, opts), expected, JSON.stringify(bare));
});

test.run();
