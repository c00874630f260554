// The operations in-process, over the in-memory store: each simulated process has its own context
// (its own fold), as real servers do, and they meet only through the store.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { acknowledgeSyncPoint } from '../src/app/operations/acknowledge-sync-point.js';
import { announceToSession } from '../src/app/operations/announce-to-session.js';
import { getPendingSyncPoints } from '../src/app/operations/get-pending-sync-points.js';
import { getUpdates } from '../src/app/operations/get-updates.js';
import { heartbeat, keepAlive } from '../src/app/operations/heartbeat.js';
import { listGroupSessions } from '../src/app/operations/list-group-sessions.js';
import { notify } from '../src/app/operations/notify.js';
import { registerSession } from '../src/app/operations/register-session.js';
import { requestSyncPoint } from '../src/app/operations/request-sync-point.js';
import { status } from '../src/app/operations/status.js';
import { stopCheck } from '../src/app/operations/stop-check.js';
import { unregisterSession } from '../src/app/operations/unregister-session.js';
import { OrchestratorError } from '../src/core/errors.js';
import { appContext, clock, memoryStore, REPOS } from './helpers/app.js';
import { MAX_CLOCK } from '../src/core/record-schema.js';
import { changesRef, sessionRef } from '../src/store/index.js';
import { changeEvent, registered } from './helpers/records.js';

const GROUP = 'my-platform';

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, OrchestratorError);
    return (error as OrchestratorError).code;
  }
  throw new Error('expected an error');
}

/** Two simulated processes on one in-memory store, an auth and a gateway session registered. */
async function authAndGateway() {
  const store = memoryStore();
  const time = clock();
  const auth = appContext(store, { clock: time, pid: 1 });
  const gateway = appContext(store, { clock: time, pid: 2 });
  const a = await registerSession(auth, { repoPath: REPOS.auth, projectGroup: GROUP });
  const g = await registerSession(gateway, { repoPath: REPOS.gateway, projectGroup: GROUP });
  return { store, time, auth, gateway, a, g };
}

test('the seed workflow: a schema change reaches dependents once, routed by the rules', async () => {
  const store = memoryStore();
  const time = clock();
  const auth = appContext(store, { clock: time, pid: 1 });
  const gateway = appContext(store, { clock: time, pid: 2 });
  const frontend = appContext(store, { clock: time, pid: 3 });
  const a = await registerSession(auth, { repoPath: REPOS.auth, projectGroup: GROUP });
  const g = await registerSession(gateway, { repoPath: REPOS.gateway, projectGroup: GROUP });
  const f = await registerSession(frontend, { repoPath: REPOS.frontend, projectGroup: GROUP });
  assert.equal([a.role, g.role, f.role], ['auth', 'gateway', 'frontend']);
  assert.equal(a.dependents.sort(), ['frontend', 'gateway']);

  time.advance(1000);
  const sent = await notify(auth, { sessionId: a.sessionId, changeType: 'schema_change', summary: 'User gains refreshToken' });
  assert.equal(sent.notifiedRoles.sort(), ['frontend', 'gateway']);
  assert.is(sent.priority, 'high');

  const first = await getUpdates(gateway, { sessionId: g.sessionId });
  assert.equal(first.updates.map((u) => u.id), [sent.eventId]);
  assert.is(first.updates[0]!.fromRole, 'auth');
  assert.equal((await getUpdates(gateway, { sessionId: g.sessionId })).updates, [], 'delivered once');
  // Another process serving the same session reads the delivery from the store.
  const gatewayAgain = appContext(store, { clock: time, pid: 2 });
  assert.equal((await getUpdates(gatewayAgain, { sessionId: g.sessionId })).updates, []);
  // frontend hears of it through gateway.
  const viaGateway = await getUpdates(frontend, { sessionId: f.sessionId, peek: true });
  assert.equal(viaGateway.updates.map((u) => u.viaRoles), [['gateway']]);
  assert.is((await getUpdates(frontend, { sessionId: f.sessionId })).updates.length, 1, 'peek did not deliver');
  // The sender does not get its own update.
  assert.equal((await getUpdates(auth, { sessionId: a.sessionId })).updates, []);
});

test('an update sent before any session of the role exists waits for the first one', async () => {
  const store = memoryStore();
  const time = clock();
  const auth = appContext(store, { clock: time, pid: 1 });
  const a = await registerSession(auth, { repoPath: REPOS.auth, projectGroup: GROUP });
  const sent = await notify(auth, { sessionId: a.sessionId, changeType: 'breaking_change', summary: 'login moves to /v2' });
  assert.is(sent.priority, 'critical');
  time.advance(60_000);
  const later = appContext(store, { clock: time, pid: 4 });
  const f = await registerSession(later, { repoPath: REPOS.frontend, projectGroup: GROUP });
  assert.is(f.pendingUpdates, 1);
  assert.equal((await getUpdates(later, { sessionId: f.sessionId })).updates.map((u) => u.id), [sent.eventId]);
});

test('sync points: requested, seen by participants, acknowledged, then resolved; Stop blocks until then', async () => {
  const store = memoryStore();
  const time = clock();
  const auth = appContext(store, { clock: time, pid: 1 });
  const gateway = appContext(store, { clock: time, pid: 2 });
  const a = await registerSession(auth, { repoPath: REPOS.auth, projectGroup: GROUP, clientSession: 'cc-auth' });
  const g = await registerSession(gateway, { repoPath: REPOS.gateway, projectGroup: GROUP, clientSession: 'cc-gateway' });
  const sp = await requestSyncPoint(auth, { sessionId: a.sessionId, description: 'Switch to /v2/session', participants: ['gateway'] });
  assert.equal(sp.participants, ['gateway']);
  const waiting = await getPendingSyncPoints(gateway, { sessionId: g.sessionId });
  assert.equal(waiting.toAcknowledge.map((s) => s.syncPointId), [sp.syncPointId]);
  assert.is((await heartbeat(gateway, { sessionId: g.sessionId })).pendingSyncPoints, 1);

  const blocked = await stopCheck(gateway, { clientSession: 'cc-gateway', projectDir: REPOS.gateway });
  assert.ok(blocked?.open.block, 'Stop keeps the session going');
  const shown = await announceToSession(gateway, { clientSession: 'cc-gateway', projectDir: REPOS.gateway });
  assert.equal(shown?.announcement.syncPointIds, [sp.syncPointId]);
  const again = await announceToSession(gateway, { clientSession: 'cc-gateway', projectDir: REPOS.gateway });
  assert.ok(again?.announcement.empty, 'shown once');

  const acked = await acknowledgeSyncPoint(gateway, { sessionId: g.sessionId, syncPointId: sp.syncPointId, note: 'done' });
  assert.equal([acked.status, acked.remaining], ['resolved', []]);
  assert.is((await stopCheck(gateway, { clientSession: 'cc-gateway', projectDir: REPOS.gateway }))?.open.block, false);
  const mine = await getPendingSyncPoints(auth, { sessionId: a.sessionId });
  assert.equal(mine.requested.map((s) => s.status), ['resolved']);
});

test('errors say what was wrong: unknown session, ended session, unknown group, a role with nobody to tell', async () => {
  const store = memoryStore();
  const time = clock();
  const ctx = appContext(store, { clock: time });
  assert.is(await code(getUpdates(ctx, { sessionId: 'nope-1' })), 'UNKNOWN_SESSION');
  assert.is(await code(registerSession(ctx, { repoPath: REPOS.auth, projectGroup: 'nope' })), 'UNKNOWN_GROUP');
  const f = await registerSession(ctx, { repoPath: REPOS.frontend, projectGroup: GROUP });
  assert.is(await code(requestSyncPoint(ctx, { sessionId: f.sessionId, description: 'x' })), 'NO_PARTICIPANTS');
  await unregisterSession(ctx, { sessionId: f.sessionId });
  assert.is(await code(notify(ctx, { sessionId: f.sessionId, changeType: 'config_change', summary: 'x' })), 'SESSION_ENDED');
});

test('liveness: a session whose process is gone is stale at once; an ended one is listed only with includeInactive', async () => {
  const store = memoryStore();
  const time = clock();
  const gone = new Set<number>();
  const server = appContext(store, { clock: time, pid: 7, gone });
  const reader = appContext(store, { clock: time, pid: 8, gone });
  const g = await registerSession(server, { repoPath: REPOS.gateway, projectGroup: GROUP });
  assert.equal((await listGroupSessions(reader, { projectGroup: GROUP })).sessions.map((s) => s.status), ['active']);
  gone.add(7);
  assert.equal((await listGroupSessions(reader, { projectGroup: GROUP, includeInactive: true })).sessions.map((s) => s.status), ['stale']);
  gone.delete(7);
  time.advance(10 * 60_000);
  assert.equal((await listGroupSessions(reader, { projectGroup: GROUP, includeInactive: true })).sessions.map((s) => s.status), ['stale'], 'silent too long');
  await unregisterSession(server, { sessionId: g.sessionId });
  assert.equal((await listGroupSessions(reader, { projectGroup: GROUP })).sessions, []);
  const report = await status(reader, { home: '/nonexistent' });
  assert.equal(report.groups.map((x) => [x.name, x.sessions.length, x.ended]), [[GROUP, 0, 1]], 'ended sessions are counted, not listed');
});

test('an update sent ackRequired keeps the receiving session from stopping until its role acknowledges it', async () => {
  const store = memoryStore();
  const time = clock();
  const auth = appContext(store, { clock: time, pid: 1 });
  const gateway = appContext(store, { clock: time, pid: 2 });
  const a = await registerSession(auth, { repoPath: REPOS.auth, projectGroup: GROUP });
  const g = await registerSession(gateway, { repoPath: REPOS.gateway, projectGroup: GROUP, clientSession: 'cc-gw' });
  const sent = await notify(auth, { sessionId: a.sessionId, changeType: 'config_change', summary: 'JWT_SECRET renamed', notify: ['gateway'], ackRequired: true });
  const read = await getUpdates(gateway, { sessionId: g.sessionId });
  assert.equal(read.updates.map((u) => u.id), [sent.eventId]);
  const check = await stopCheck(gateway, { clientSession: 'cc-gw', projectDir: REPOS.gateway });
  assert.ok(check?.open.block, 'read but not acknowledged: keep going');
  assert.equal(check?.open.toAcknowledge.map((u) => u.event.id), [sent.eventId]);
  await getUpdates(gateway, { sessionId: g.sessionId, ack: [sent.eventId], note: 'renamed in gateway' });
  assert.is((await stopCheck(gateway, { clientSession: 'cc-gw', projectDir: REPOS.gateway }))?.open.block, false);
});

test('a forged clock at the bound does not stop later writes: clocks saturate there', async () => {
  const { store, time, auth, gateway, a, g } = await authAndGateway();
  // Another session's record from a remote, with the highest clock the schema accepts.
  await store.append(sessionRef('forger-0001'), [registered({ session: 'forger-0001', group: GROUP, role: 'frontend', clock: MAX_CLOCK, at: time.now })]);
  const sent = await notify(auth, { sessionId: a.sessionId, changeType: 'schema_change', summary: 'after the forged clock' });
  time.advance(1_000); // both stamped at the bound: ordered by time
  const again = await notify(auth, { sessionId: a.sessionId, changeType: 'schema_change', summary: 'and once more' });
  const got = await getUpdates(gateway, { sessionId: g.sessionId });
  assert.equal(got.updates.map((u) => u.id), [sent.eventId, again.eventId]);
});

test('an announcement is linked to the closest commit it describes, not the oldest', async () => {
  const { store, time, auth, gateway, a, g } = await authAndGateway();
  const commitEvent = (sha: string, minutesAgo: number, clockValue: number) => changeEvent(['gateway'], {
    group: GROUP, role: 'auth', session: undefined, source: 'commit', files: ['db/schema.sql'], summary: `commit ${sha}`,
    at: time.now - minutesAgo * 60_000, clock: clockValue, commit: { sha: sha.repeat(40 / sha.length), subject: sha, author: 'dev' },
  });
  await store.append(changesRef('0123456789abcdef', GROUP, 'auth'), [commitEvent('a', 4, 10), commitEvent('b', 2, 11)]);
  const sent = await notify(auth, { sessionId: a.sessionId, changeType: 'schema_change', summary: 'roles table added', files: ['db/schema.sql'] });
  const got = await getUpdates(gateway, { sessionId: g.sessionId });
  const announced = got.updates.find((u) => u.id === sent.eventId)!;
  assert.is(announced.commit, 'b'.repeat(40), 'the latest commit touching the file');
  assert.ok(got.updates.some((u) => u.commit === 'a'.repeat(40) && u.id !== sent.eventId), 'the older commit stays its own update');
});

test('a server that follows commits still says so after its periodic heartbeats', async () => {
  const store = memoryStore();
  const time = clock();
  const server = appContext(store, { clock: time, pid: 1 });
  server.listeners.owned = () => {}; // as the MCP server's root: it follows the repos it serves
  const a = await registerSession(server, { repoPath: REPOS.auth, projectGroup: GROUP });
  const following = async () => (await status(server, { home: '/nonexistent' })).groups[0]!.members!.find((m) => m.role === 'auth')!.commits;
  assert.is(await following(), 'server');
  time.advance(server.settings.heartbeatRecordMs + 1);
  await keepAlive(server, a.sessionId);
  assert.is(await following(), 'server', 'the heartbeat, now naming the owner, keeps commits: server');
});

test.run();
