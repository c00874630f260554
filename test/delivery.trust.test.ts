// Issue 11, "Delivery a session can trust": each failing case as it was reproduced, over real
// server processes (the SDK's Client over stdio) and real commits; then the delivery states of
// one update as its sender sees them, on one machine and across two sharing a remote.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cliJson } from './helpers/cli.js';
import { makeMachines, sync } from './helpers/machines.js';
import { git, makePlatform, startServer, type Platform, type Server } from './helpers/mcp.js';

interface Update { id: string; fromRole: string; fromSession?: string; changeType: string; changeTypes?: string[]; summary: string; commit?: string; viaRoles?: string[]; sameAs?: string[]; ackRequired?: boolean }
interface Updates { updates: Update[]; syncPoints?: Array<{ syncPointId: string }>; remaining: number; next?: string }
interface Status { updates: Array<{ id: string; roles: Array<{ role: string; state: string; note?: string }> }> }
type Role = 'auth' | 'gateway' | 'frontend';

const servers: Server[] = [];
const open = async (env: Record<string, string>) => {
  const server = await startServer(env);
  servers.push(server);
  return server;
};
const register = (server: Server, platform: Platform, role: Role, extra: Record<string, unknown> = {}) =>
  server.call<{ sessionId: string; commits: string }>('register_session', { repoPath: platform.repos[role], projectGroup: 'my-platform', ...extra });
const commitFile = (repo: string, file: string, message: string): string => {
  mkdirSync(join(repo, file, '..'), { recursive: true });
  writeFileSync(join(repo, file), `// ${message} ${Math.random()}\n`);
  git(repo, ['add', '.']);
  git(repo, ['commit', '-q', '-m', message]);
  return git(repo, ['rev-parse', 'HEAD']).trim();
};
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const statesOf = (status: Status, id: string) => Object.fromEntries(status.updates.find((u) => u.id === id)!.roles.map((r) => [r.role, r.state]));

test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

test('case 1: with no git hook, a running server follows its repo\'s commits, and says so', async () => {
  const platform = makePlatform();
  const [auth, gateway] = await Promise.all([open(platform.env), open(platform.env)]);
  const a = await register(auth, platform, 'auth');
  const g = await register(gateway, platform, 'gateway');
  assert.is(a.commits, 'server');
  const before = await auth.call<{ commits: string }>('query_project_state', { projectGroup: 'my-platform', role: 'frontend' });
  assert.is(before.commits, 'none', 'nobody follows frontend\'s commits');
  const sha = commitFile(platform.repos.auth, 'prisma/schema.prisma', 'Add refreshToken to User');
  const got = await until('the commit to reach gateway', async () => {
    const page = await gateway.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId });
    return page.updates.length ? page : undefined;
  });
  assert.is(got.updates[0]!.commit, sha);
  assert.is(got.updates[0]!.changeType, 'schema_change');
  // Case 8 as well: said once (no null session, no empty chain, the types not again in the summary).
  assert.is(got.updates[0]!.summary, 'Add refreshToken to User');
  assert.not.ok('fromSession' in got.updates[0]! || 'viaRoles' in got.updates[0]! || 'changeTypes' in got.updates[0]!, JSON.stringify(got.updates[0]));
  const state = await gateway.call<{ commits: string }>('query_project_state', { projectGroup: 'my-platform', role: 'auth' });
  assert.is(state.commits, 'server');
  const status = await cliJson<{ groups: Array<{ name: string; members?: Array<{ role: string; commits: string }> }> }>(platform.env, ['status']);
  const members = status.groups.find((gr) => gr.name === 'my-platform')!.members!;
  assert.equal(members.map((m) => [m.role, m.commits]), [['auth', 'server'], ['gateway', 'server'], ['frontend', 'none']]);
});

test('case 2: a commit and the notify describing it reach a receiver once, linked', async () => {
  const platform = makePlatform();
  const [auth, gateway] = await Promise.all([open(platform.env), open(platform.env)]);
  const a = await register(auth, platform, 'auth');
  const g = await register(gateway, platform, 'gateway');
  const sha = commitFile(platform.repos.auth, 'prisma/schema.prisma', 'Rename user.name to user.fullName');
  const sent = await auth.call<{ eventId: string }>('notify_related_sessions', {
    sessionId: a.sessionId, changeType: 'schema_change', summary: 'User.name is now User.fullName: update your queries', files: ['prisma/schema.prisma'],
  });
  await until('the commit to be ingested', async () => {
    const page = await gateway.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId, peek: true });
    return page.updates.some((u) => u.commit === sha) ? page : undefined;
  });
  const got = await gateway.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId });
  assert.is(got.updates.length, 1, JSON.stringify(got));
  assert.is(got.updates[0]!.id, sent.eventId);
  assert.is(got.updates[0]!.commit, sha);
  assert.is(got.updates[0]!.sameAs!.length, 1);
  assert.is(got.remaining, 0);
  assert.is((await gateway.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId })).updates.length, 0);
});

test('case 3: numbers and booleans sent as strings are accepted', async () => {
  const platform = makePlatform();
  const auth = await open(platform.env);
  const a = await register(auth, platform, 'auth');
  await auth.call('get_cross_project_updates', { sessionId: a.sessionId, limit: '5' });
  await auth.call('get_cross_project_updates', { sessionId: a.sessionId, peek: 'true' });
  await auth.call('list_group_sessions', { projectGroup: 'my-platform', includeInactive: 'true' });
  const sp = await auth.call<{ status: string }>('request_sync_point', { sessionId: a.sessionId, description: 'Ship together', timeoutSeconds: '600' });
  assert.is(sp.status, 'pending');
  assert.match(await auth.callError('get_cross_project_updates', { sessionId: a.sessionId, limit: 'five' }), /limit/);
});

test('case 4: answers stay under the client\'s warning, and only what was carried is delivered', async () => {
  const platform = makePlatform();
  const [auth, gateway] = await Promise.all([open(platform.env), open(platform.env)]);
  const a = await register(auth, platform, 'auth');
  const g = await register(gateway, platform, 'gateway');
  const files = Array.from({ length: 200 }, (_, i) => `packages/some/deeply/nested/folder/of/the/service/file-number-${i}.ts`);
  const sent = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const r = await auth.call<{ eventId: string }>('notify_related_sessions', {
      sessionId: a.sessionId, changeType: 'schema_change', summary: `${i} `.padEnd(2000, 'x'), files, notify: ['gateway'],
    });
    sent.add(r.eventId);
  }
  const seen = new Set<string>();
  let calls = 0;
  for (;;) {
    const result = await gateway.client.callTool({ name: 'get_cross_project_updates', arguments: { sessionId: g.sessionId, limit: calls === 0 ? 100 : undefined } });
    const bytes = Buffer.byteLength(JSON.stringify(result.content)) + Buffer.byteLength(JSON.stringify(result.structuredContent));
    // Claude Code warns at 10,000 tokens; JSON runs about 3-4 bytes a token.
    assert.ok(bytes < 30_000, `answer of ${bytes} bytes`);
    const page = result.structuredContent as unknown as Updates;
    calls++;
    for (const u of page.updates) {
      assert.not.ok(seen.has(u.id), 'no update twice');
      seen.add(u.id);
    }
    assert.is(page.remaining, 100 - seen.size, 'what was not carried stays pending');
    if (page.remaining === 0) break;
    assert.match(page.next ?? '', /get_cross_project_updates again/);
    assert.ok(calls < 100);
  }
  assert.equal([...seen].sort(), [...sent].sort());
  assert.ok(calls > 1);
});

test('case 5: registration refuses a mismatched, missing or relative path, and does not duplicate a role', async () => {
  const platform = makePlatform();
  const server = await open(platform.env);
  assert.match(await server.callError('register_session', { repoPath: platform.repos.gateway, projectGroup: 'my-platform', role: 'frontend' }), /repo of gateway, not of frontend/);
  assert.match(await server.callError('register_session', { repoPath: join(platform.repos.frontend, 'nope'), projectGroup: 'my-platform', role: 'frontend' }), /does not exist/);
  assert.match(await server.callError('register_session', { repoPath: 'frontend', projectGroup: 'my-platform' }), /absolute path/);
  const first = await register(server, platform, 'frontend');
  const second = await register(server, platform, 'frontend');
  assert.is(second.sessionId, first.sessionId);
  const listed = await server.call<{ sessions: Array<{ role: string }> }>('list_group_sessions', { projectGroup: 'my-platform' });
  assert.is(listed.sessions.filter((s) => s.role === 'frontend').length, 1);
});

test('case 6: a sync point shows in the participant\'s updates, once, with the next step', async () => {
  const platform = makePlatform();
  const [auth, gateway] = await Promise.all([open(platform.env), open(platform.env)]);
  const a = await register(auth, platform, 'auth');
  const g = await register(gateway, platform, 'gateway');
  const sp = await auth.call<{ syncPointId: string }>('request_sync_point', { sessionId: a.sessionId, description: 'Migrate to fullName', participants: ['gateway'] });
  const got = await gateway.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId });
  assert.equal(got.syncPoints?.map((s) => s.syncPointId), [sp.syncPointId]);
  assert.match(got.next ?? '', /acknowledge_sync_point/);
  const again = await gateway.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId });
  assert.is(again.syncPoints, undefined, 'shown once');
  const mine = await auth.call<{ next?: string }>('get_pending_sync_points', { sessionId: a.sessionId });
  assert.match(mine.next ?? '', /get_pending_sync_points again/);
});

test('case 7: a notify nobody will hear says so', async () => {
  const platform = makePlatform();
  const server = await open(platform.env);
  const f = await register(server, platform, 'frontend');
  const sent = await server.call<{ notifiedRoles: string[]; next: string }>('notify_related_sessions', { sessionId: f.sessionId, changeType: 'schema_change', summary: 'New form field' });
  assert.equal(sent.notifiedRoles, []);
  assert.match(sent.next, /nobody will hear it/);
});

test('case 8: answers do not grow with ended sessions and old sync points', async () => {
  const platform = makePlatform();
  const old = await open(platform.env);
  const first = await register(old, platform, 'auth');
  await old.call('request_sync_point', { sessionId: first.sessionId, description: 'Old barrier', participants: ['gateway'], timeoutSeconds: 1 });
  await old.call('unregister_session', { sessionId: first.sessionId });
  await new Promise((r) => setTimeout(r, 1200));
  const server = await open(platform.env);
  const a = await register(server, platform, 'auth');
  assert.is.not(a.sessionId, first.sessionId);
  const pending = await server.call<{ requested: unknown[] }>('get_pending_sync_points', { sessionId: a.sessionId });
  assert.is(pending.requested.length, 0, 'an earlier session\'s expired sync point is history');
  const state = await server.call<{ sessions: Array<{ sessionId: string }> }>('query_project_state', { projectGroup: 'my-platform', role: 'auth' });
  assert.equal(state.sessions.map((s) => s.sessionId), [a.sessionId]);
  const status = await cliJson<{ groups: Array<{ name: string; sessions: Array<{ sessionId: string }>; ended?: number }> }>(platform.env, ['status']);
  const group = status.groups.find((gr) => gr.name === 'my-platform')!;
  assert.not.ok(group.sessions.some((s) => s.sessionId === first.sessionId));
  assert.is(group.ended, 1);
});

test('states of one update: queued -> delivered -> acknowledged, and ackRequired keeps it in answers', async () => {
  const platform = makePlatform();
  const auth = await open(platform.env);
  const a = await register(auth, platform, 'auth');
  const sent = await auth.call<{ eventId: string }>('notify_related_sessions', {
    sessionId: a.sessionId, changeType: 'breaking_change', summary: 'Tokens now expire in 15 minutes', notify: ['gateway'], ackRequired: 'true',
  });
  assert.equal(statesOf(await auth.call<Status>('get_update', { sessionId: a.sessionId }), sent.eventId), { gateway: 'queued' });
  const gateway = await open(platform.env);
  const g = await register(gateway, platform, 'gateway');
  const got = await gateway.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId });
  assert.is(got.updates[0]!.ackRequired, true);
  assert.match(got.next ?? '', /ack/);
  assert.equal(statesOf(await auth.call<Status>('get_update', { sessionId: a.sessionId }), sent.eventId), { gateway: 'delivered' });
  const again = await gateway.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId });
  assert.equal(again.updates.map((u) => u.id), [sent.eventId], 'stays in the answers until acknowledged');
  const after = await gateway.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId, ack: [sent.eventId], note: 'refresh added' });
  assert.is(after.updates.length, 0);
  const status = await auth.call<Status>('get_update', { sessionId: a.sessionId, eventIds: [sent.eventId] });
  assert.equal(status.updates[0]!.roles, [{ role: 'gateway', state: 'acknowledged', note: 'refresh added' }]);
  const log = await cliJson<{ entries: Array<{ kind: string; summary: string }> }>(platform.env, ['log']);
  assert.ok(log.entries.some((e) => e.kind === 'acknowledged' && e.summary.includes(sent.eventId)), JSON.stringify(log.entries.filter((e) => e.kind === 'acknowledged')));
});

test('states of one update across two machines sharing a remote', async () => {
  const m = makeMachines();
  await cliJson(m.a, ['remote', 'add', 'origin', m.bare]);
  await cliJson(m.b, ['remote', 'add', 'origin', m.bare]);
  await sync(m.a);
  await sync(m.b);
  const serverA = await open(m.a);
  const a = await register(serverA, m.platform, 'auth');
  const sent = await serverA.call<{ eventId: string }>('notify_related_sessions', {
    sessionId: a.sessionId, changeType: 'schema_change', summary: 'Added refreshToken', notify: ['gateway'], ackRequired: true,
  });
  assert.equal(statesOf(await serverA.call<Status>('get_update', { sessionId: a.sessionId }), sent.eventId), { gateway: 'queued' });
  await sync(m.a);
  await sync(m.b);
  const serverB = await open(m.b);
  const g = await register(serverB, m.platform, 'gateway');
  const got = await serverB.call<Updates>('get_cross_project_updates', { sessionId: g.sessionId });
  assert.equal(got.updates.map((u) => u.id), [sent.eventId]);
  await sync(m.b);
  await sync(m.a);
  assert.equal(statesOf(await serverA.call<Status>('get_update', { sessionId: a.sessionId }), sent.eventId), { gateway: 'delivered' });
  await serverB.call('get_cross_project_updates', { sessionId: g.sessionId, ack: [sent.eventId] });
  await sync(m.b);
  await sync(m.a);
  assert.equal(statesOf(await serverA.call<Status>('get_update', { sessionId: a.sessionId }), sent.eventId), { gateway: 'acknowledged' });
});

test.run();
