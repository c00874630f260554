// The original README's Example Workflow, across real server processes over stdio.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlatform, startServer } from './helpers/mcp.js';
import type { Server } from './helpers/mcp.js';

interface Update { id: string; fromRole: string; changeType: string; priority: string; summary: string; viaRoles?: string[] }
interface Updates { updates: Update[]; remaining: number }

const platform = makePlatform();
const servers: Server[] = [];
const open = async () => {
  const server = await startServer(platform.env);
  servers.push(server);
  return server;
};
const register = (server: Server, role: 'auth' | 'gateway' | 'frontend') =>
  server.call<{ sessionId: string; dependents: string[]; dependsOn: string[] }>('register_session', {
    repoPath: platform.repos[role], projectGroup: 'my-platform',
  });

test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

test('a schema change in auth reaches gateway and frontend once each, and not auth', async () => {
  const [auth, gateway, frontend] = await Promise.all([open(), open(), open()]);
  const a = await register(auth!, 'auth');
  const g = await register(gateway!, 'gateway');
  const f = await register(frontend!, 'frontend');
  assert.equal(a.dependents, ['gateway', 'frontend']);
  assert.equal(f.dependsOn, ['gateway']);

  const sent = await auth!.call<{ eventId: string; notifiedRoles: string[]; priority: string }>('notify_related_sessions', {
    sessionId: a.sessionId, changeType: 'schema_change', summary: 'Modified User schema, added refreshToken field',
  });
  assert.equal(sent.notifiedRoles, ['gateway', 'frontend']);
  assert.is(sent.priority, 'high');

  const forGateway = await gateway!.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId });
  assert.is(forGateway.updates.length, 1);
  assert.is(forGateway.updates[0]!.id, sent.eventId);
  assert.is(forGateway.updates[0]!.fromRole, 'auth');
  assert.is(forGateway.updates[0]!.changeType, 'schema_change');
  assert.is(forGateway.updates[0]!.viaRoles, undefined); // said only when there is a chain

  const forFrontend = await frontend!.call<Updates>('get_cross_project_updates', { sessionId: f.sessionId });
  assert.is(forFrontend.updates.length, 1);
  assert.equal(forFrontend.updates[0]!.viaRoles, ['gateway']);
  assert.is(forFrontend.updates[0]!.summary, 'Modified User schema, added refreshToken field');

  assert.is((await auth!.call<Updates>('get_cross_project_updates', { sessionId: a.sessionId })).updates.length, 0);
  // Read once: not returned again.
  assert.is((await gateway!.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId })).updates.length, 0);
  assert.is((await frontend!.call<Updates>('get_cross_project_updates', { sessionId: f.sessionId })).updates.length, 0);
});

test('peek leaves updates pending; limit pages them oldest first', async () => {
  const [auth, gateway] = await Promise.all([open(), open()]);
  const a = await register(auth!, 'auth');
  const g = await register(gateway!, 'gateway');
  for (const n of [1, 2, 3]) {
    await auth!.call('notify_related_sessions', { sessionId: a.sessionId, changeType: 'api_endpoint_change', summary: `change ${n}` });
  }
  const peeked = await gateway!.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId, peek: true, limit: 2 });
  assert.equal(peeked.updates.map((u) => u.summary), ['change 1', 'change 2']);
  assert.is(peeked.remaining, 1);
  const first = await gateway!.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId, limit: 2 });
  assert.equal(first.updates.map((u) => u.summary), ['change 1', 'change 2']);
  const rest = await gateway!.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId });
  assert.equal(rest.updates.map((u) => u.summary), ['change 3']);
  assert.is(rest.remaining, 0);
});

test('an update sent while no frontend session runs reaches the next frontend session', async () => {
  const auth = await open();
  const a = await register(auth, 'auth');
  const frontendsBefore = await auth.call<{ sessions: Array<{ role: string }> }>('list_group_sessions', { projectGroup: 'my-platform' });
  const sent = await auth.call<{ eventId: string }>('notify_related_sessions', {
    sessionId: a.sessionId, changeType: 'breaking_change', summary: 'Removed /v1/login', notify: ['frontend'],
  });
  void frontendsBefore;
  const later = await open();
  const f = await register(later, 'frontend');
  const got = await later.call<Updates>('get_cross_project_updates', { sessionId: f.sessionId });
  assert.ok(got.updates.some((u) => u.id === sent.eventId), 'the update waited for the frontend session');
});

test('sync point: pending for frontend, resolved when it acknowledges; an unacknowledged one expires', async () => {
  const [gateway, frontend] = await Promise.all([open(), open()]);
  const g = await register(gateway!, 'gateway');
  const f = await register(frontend!, 'frontend');
  const sp = await gateway!.call<{ syncPointId: string; participants: string[]; status: string }>('request_sync_point', {
    sessionId: g.sessionId, description: 'Deploying the new token format', participants: ['frontend'],
  });
  assert.equal(sp.participants, ['frontend']);
  assert.is(sp.status, 'pending');

  const pending = await frontend!.call<{ toAcknowledge: Array<{ syncPointId: string; remaining: string[] }> }>('get_pending_sync_points', { sessionId: f.sessionId });
  const mine = pending.toAcknowledge.find((p) => p.syncPointId === sp.syncPointId);
  assert.ok(mine);
  assert.equal(mine!.remaining, ['frontend']);

  const acked = await frontend!.call<{ status: string; remaining: string[] }>('acknowledge_sync_point', { sessionId: f.sessionId, syncPointId: sp.syncPointId, note: 'ready' });
  assert.is(acked.status, 'resolved');
  assert.equal(acked.remaining, []);

  const seen = await gateway!.call<{ requested: Array<{ syncPointId: string; status: string; acknowledgedBy: string[] }> }>('get_pending_sync_points', { sessionId: g.sessionId });
  const requested = seen.requested.find((p) => p.syncPointId === sp.syncPointId)!;
  assert.is(requested.status, 'resolved');
  assert.equal(requested.acknowledgedBy, ['frontend']);
  const after = await frontend!.call<{ toAcknowledge: unknown[] }>('get_pending_sync_points', { sessionId: f.sessionId });
  assert.ok(!after.toAcknowledge.some((p) => (p as { syncPointId: string }).syncPointId === sp.syncPointId));

  const short = await gateway!.call<{ syncPointId: string }>('request_sync_point', {
    sessionId: g.sessionId, description: 'Quick check', participants: ['frontend'], timeoutSeconds: 1,
  });
  await new Promise((r) => setTimeout(r, 1300));
  const expired = await gateway!.call<{ requested: Array<{ syncPointId: string; status: string; remaining: string[] }> }>('get_pending_sync_points', { sessionId: g.sessionId });
  const state = expired.requested.find((p) => p.syncPointId === short.syncPointId)!;
  assert.is(state.status, 'expired');
  assert.equal(state.remaining, ['frontend']);
  const late = await frontend!.callError('acknowledge_sync_point', { sessionId: f.sessionId, syncPointId: short.syncPointId });
  assert.match(late, /expired/);
});

test('bad calls say what to do, and the server keeps serving', async () => {
  const server = await open();
  assert.match(await server.callError('heartbeat', { sessionId: 'nobody-123' }), /register_session/);
  assert.match(await server.callError('register_session', { repoPath: '/tmp', projectGroup: 'nope' }), /unknown project group "nope"/);
  assert.match(await server.callError('register_session', { repoPath: '/tmp/elsewhere', projectGroup: 'my-platform' }), /does not exist/);
  assert.match(await server.callError('register_session', { repoPath: '/tmp', projectGroup: 'my-platform' }), /member add my-platform/);
  const a = await register(server, 'auth');
  const long = 'x'.repeat(2001);
  assert.match(await server.callError('notify_related_sessions', { sessionId: a.sessionId, changeType: 'schema_change', summary: long }), /2000/);
  assert.match(await server.callError('notify_related_sessions', { sessionId: a.sessionId, changeType: 'schema_change', summary: 'x', notify: ['../x'] }), /no role/);
  assert.match(await server.callError('heartbeat', { sessionId: '../../etc' }), /unknown session/);
  const ok = await server.call<{ pendingUpdates: number }>('heartbeat', { sessionId: a.sessionId, currentTask: 'still here' });
  assert.type(ok.pendingUpdates, 'number');
});

test.run();
