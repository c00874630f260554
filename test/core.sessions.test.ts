import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pidKey, sessionState, sessionStates, liveness } from '../src/core/sessions.js';
import type { OrchestratorRecord, SessionEnded, SessionHeartbeat, SessionRegistered } from '../src/core/records.js';

const base = (session: string, clock: number, at: number) => ({ v: 1 as const, id: `${session}-${clock}`, group: 'platform', role: 'auth', session, clock, at });
const registered = (session: string, clock: number, at: number, extra: Partial<SessionRegistered> = {}): SessionRegistered => ({
  ...base(session, clock, at), kind: 'session.registered', repoPath: '/repos/auth', host: 'laptop', pid: 42, ...extra,
});
const heartbeat = (session: string, clock: number, at: number, currentTask?: string): SessionHeartbeat => ({
  ...base(session, clock, at), kind: 'session.heartbeat', ...(currentTask ? { currentTask } : {}),
});
const ended = (session: string, clock: number, at: number): SessionEnded => ({ ...base(session, clock, at), kind: 'session.ended', reason: 'unregistered' });
const opts = { now: 10_000, staleAfterMs: 5_000 };

test('folds registration and heartbeats', () => {
  const state = sessionState([heartbeat('s1', 3, 8000, 'migrating'), registered('s1', 1, 1000, { currentTask: 'start' }), heartbeat('s1', 2, 6000)], opts);
  assert.equal(state, {
    sessionId: 's1', group: 'platform', role: 'auth', repoPath: '/repos/auth', currentTask: 'migrating',
    status: 'active', lastHeartbeat: 8000, host: 'laptop', pid: 42, registeredClock: 1, registeredAt: 1000,
  });
});

test('status table', () => {
  const cases: Array<[string, Array<SessionRegistered | SessionHeartbeat | SessionEnded>, { deadPids?: Set<string> }, string]> = [
    ['fresh', [registered('s', 1, 9000)], {}, 'active'],
    ['silent at the limit', [registered('s', 1, 5000)], {}, 'active'],
    ['silent too long', [registered('s', 1, 4999)], {}, 'stale'],
    ['heartbeat keeps it alive', [registered('s', 1, 1000), heartbeat('s', 2, 9000)], {}, 'active'],
    ['ended', [registered('s', 1, 9000), ended('s', 2, 9500)], {}, 'ended'],
    ['ended beats dead process', [registered('s', 1, 9000), ended('s', 2, 9500)], { deadPids: new Set(['laptop:42']) }, 'ended'],
    ['re-registered after end', [registered('s', 1, 1000), ended('s', 2, 2000), registered('s', 3, 9000)], {}, 'active'],
    ['known dead process: stale at once', [registered('s', 1, 9999)], { deadPids: new Set([pidKey('laptop', 42)]) }, 'stale'],
    ['same pid on another host is not this one', [registered('s', 1, 9999)], { deadPids: new Set(['server:42']) }, 'active'],
  ];
  for (const [name, records, extra, status] of cases) assert.is(sessionState(records, { ...opts, ...extra })?.status, status, name);
});

test('end details, latest registration, first registration clock', () => {
  const state = sessionState([registered('s', 1, 1000), registered('s', 4, 3000, { pid: 7, currentTask: 'again' }), heartbeat('s', 5, 3500), ended('s', 6, 4000)], opts);
  assert.equal([state?.pid, state?.currentTask, state?.registeredClock, state?.status, state?.endedAt, state?.endReason], [7, 'again', 1, 'ended', 4000, 'unregistered']);
  const moved = sessionState([registered('s', 1, 1000), registered('s', 4, 3000, { role: 'gateway' })], opts);
  assert.equal([moved?.role, moved?.registeredClock], ['gateway', 4]);
  assert.is(sessionState([heartbeat('s', 1, 1000)], opts), null);
});

test('a heartbeat naming a host and pid takes the session over', () => {
  const takeover = { ...heartbeat('s', 2, 9000), host: 'server', pid: 7 } as SessionHeartbeat;
  const state = sessionState([registered('s', 1, 1000), takeover], { ...opts, deadPids: new Set(['laptop:42']) });
  assert.equal([state?.host, state?.pid, state?.status], ['server', 7, 'active']);
  // A later registration takes it back.
  assert.equal(sessionState([registered('s', 1, 1000), takeover, registered('s', 3, 9500)], opts)?.host, 'laptop');
});

test('sessionStates picks session records out of a mixed stream', () => {
  const records: OrchestratorRecord[] = [
    registered('b', 2, 9000), heartbeat('a', 3, 9000), registered('a', 1, 9000), heartbeat('orphan', 4, 9000),
    { ...base('x', 5, 9000), kind: 'topology', action: 'edited' },
  ];
  assert.equal(sessionStates(records, opts).map((s) => s.sessionId), ['a', 'b']);
});

test('liveness on bare facts', () => {
  const cases: Array<[Parameters<typeof liveness>[0], string]> = [
    [{ lastSeenAt: 9000, ended: false }, 'active'],
    [{ lastSeenAt: 1000, ended: false }, 'stale'],
    [{ lastSeenAt: 9000, ended: false, processGone: true }, 'stale'],
    [{ lastSeenAt: 9000, ended: true, processGone: true }, 'ended'],
  ];
  for (const [facts, status] of cases) assert.is(liveness(facts, opts), status, JSON.stringify(facts));
});

test.run();
