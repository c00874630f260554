// The "Done when" scenario of sharing, run over any transport: notify across machines, a sync
// point across machines, and the topology edited on both.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { cli, cliJson } from './cli.js';
import { tempDir } from './tmp.js';
import { sync, type Machines } from './machines.js';
import { startServer, type Server } from './mcp.js';

interface Updates { updates: Array<{ id: string; fromRole: string; summary: string }>; remaining: number }

export async function shareScenario(m: Machines, urlA: string, urlB: string, servers: Server[]): Promise<void> {
  await cliJson(m.a, ['remote', 'add', 'origin', urlA]);
  await cliJson(m.b, ['remote', 'add', 'origin', urlB]);
  const first = await sync(m.a);
  assert.ok(first.ok, first.error ?? '');
  assert.is(first.topology, 'pushed');
  const second = await sync(m.b);
  assert.ok(second.ok, second.error ?? '');
  assert.is(second.topology, 'fast-forwarded');
  assert.ok(readFileSync(join(m.homeB, 'topology.yml'), 'utf8').includes('my-platform'), 'B received the topology file');

  const serverA = await startServer(m.a);
  const serverB = await startServer(m.b);
  servers.push(serverA, serverB);
  const register = (server: Server, role: 'auth' | 'gateway' | 'frontend') =>
    server.call<{ sessionId: string }>('register_session', { repoPath: m.platform.repos[role], projectGroup: 'my-platform' });
  const gateway = await register(serverA, 'gateway');
  const frontend = await register(serverB, 'frontend');
  const auth = await register(serverB, 'auth');

  // Both see each other's sessions once both synced.
  await sync(m.b);
  await sync(m.a);
  const seenOnA = await serverA.call<{ sessions: Array<{ sessionId: string }> }>('list_group_sessions', { projectGroup: 'my-platform' });
  assert.ok(seenOnA.sessions.some((s) => s.sessionId === frontend.sessionId), 'A lists the frontend session of B');
  const sent = await serverA.call<{ eventId: string; notifiedRoles: string[] }>('notify_related_sessions', {
    sessionId: gateway.sessionId, changeType: 'schema_change', summary: 'Renamed user.name to user.fullName',
  });
  assert.equal(sent.notifiedRoles, ['frontend']);
  await sync(m.a);
  await sync(m.b);
  const seenOnB = await serverB.call<{ sessions: Array<{ sessionId: string }> }>('list_group_sessions', { projectGroup: 'my-platform' });
  assert.ok(seenOnB.sessions.some((s) => s.sessionId === gateway.sessionId), 'B lists the gateway session of A');

  const got = await serverB.call<Updates>('get_cross_project_updates', { sessionId: frontend.sessionId });
  assert.equal(got.updates.map((u) => u.id), [sent.eventId]);
  assert.is(got.updates[0]!.fromRole, 'gateway');
  assert.is((await serverB.call<Updates>('get_cross_project_updates', { sessionId: auth.sessionId })).updates.length, 0, 'auth is not a target');
  // Syncing again (both ways, twice) delivers nothing twice.
  await sync(m.b);
  await sync(m.a);
  await sync(m.b);
  assert.is((await serverB.call<Updates>('get_cross_project_updates', { sessionId: frontend.sessionId })).updates.length, 0, 'delivered once');

  // A sync point requested on A, acknowledged on B, seen resolved on A.
  const sp = await serverA.call<{ syncPointId: string }>('request_sync_point', {
    sessionId: gateway.sessionId, description: 'Deploy together', participants: ['frontend'],
  });
  await sync(m.a);
  await sync(m.b);
  const pendingB = await serverB.call<{ toAcknowledge: Array<{ syncPointId: string }> }>('get_pending_sync_points', { sessionId: frontend.sessionId });
  assert.equal(pendingB.toAcknowledge.map((p) => p.syncPointId), [sp.syncPointId]);
  const statusA = await cliJson<{ groups: Array<{ pendingSyncPoints: Array<{ syncPointId: string; waitingFor: Array<{ role: string; sessions: string[] }> }> }> }>(m.a, ['status', 'my-platform']);
  assert.equal(statusA.groups[0]!.pendingSyncPoints[0]!.waitingFor, [{ role: 'frontend', sessions: [frontend.sessionId] }]);
  const acked = await serverB.call<{ status: string }>('acknowledge_sync_point', { sessionId: frontend.sessionId, syncPointId: sp.syncPointId });
  assert.is(acked.status, 'resolved');
  await sync(m.b);
  await sync(m.a);
  const requested = await serverA.call<{ requested: Array<{ syncPointId: string; status: string }> }>('get_pending_sync_points', { sessionId: gateway.sessionId });
  assert.equal(requested.requested.map((r) => [r.syncPointId, r.status]), [[sp.syncPointId, 'resolved']]);

  // Both machines edit the topology: two groups added at the same place merge.
  await cliJson(m.a, ['group', 'create', 'orders']);
  await cliJson(m.b, ['group', 'create', 'billing']);
  assert.is((await sync(m.a)).topology, 'pushed');
  const merged = await sync(m.b);
  assert.ok(merged.ok, merged.error ?? '');
  assert.is(merged.topology, 'merged');
  assert.is((await sync(m.a)).topology, 'fast-forwarded');
  for (const home of [m.homeA, m.homeB]) {
    const text = readFileSync(join(home, 'topology.yml'), 'utf8');
    assert.ok(text.includes('orders:') && text.includes('billing:') && text.includes('my-platform:'), `both edits in ${home}: ${text}`);
  }
  // The same line edited differently: a conflict, reported, with both versions kept.
  const edit = (home: string, description: string) => {
    const file = join(home, 'topology.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/description: .*/, `description: "${description}"`));
  };
  edit(m.homeA, 'Edited on A');
  edit(m.homeB, 'Edited on B');
  assert.is((await sync(m.a)).topology, 'pushed');
  const conflicted = await sync(m.b);
  assert.ok(conflicted.ok, conflicted.error ?? '');
  assert.is(conflicted.topology, 'conflict');
  assert.ok(conflicted.conflict && existsSync(conflicted.conflict.file));
  assert.ok(readFileSync(conflicted.conflict!.file, 'utf8').includes('Edited on A'), 'theirs saved beside');
  assert.ok(readFileSync(join(m.homeB, 'topology.yml'), 'utf8').includes('Edited on B'), 'ours kept');
  const statusB = await cliJson<{ conflicts: Array<{ remote: string; kept: string }> }>(m.b, ['status'], true);
  assert.equal(statusB.conflicts.map((c) => [c.remote, c.kept]), [['origin', 'ours']]);
  assert.is((await cli(m.b, ['status'])).code, 1, 'status exits 1 while it lists a conflict');
  const back = await sync(m.a);
  // A takes in B's merge (B's version) and keeps its own lost edit beside, on its own disk (issue 12).
  assert.is(back.topology, 'conflict');
  assert.ok(back.notices.some((n) => n.includes('CONFLICT')), 'A is told its edit lost the conflict');
  assert.ok(back.conflict!.file.startsWith(m.homeA), back.conflict!.file);
  assert.ok(readFileSync(back.conflict!.file, 'utf8').includes('Edited on A'), 'A\'s lost edit kept beside');
  assert.ok(readFileSync(join(m.homeA, 'topology.yml'), 'utf8').includes('Edited on B'), 'A follows the merge');
  const conflictsA = await cliJson<{ conflicts: Array<{ remote: string; kept: string }> }>(m.a, ['status'], true);
  assert.equal(conflictsA.conflicts.map((c) => [c.remote, c.kept]), [['origin', 'theirs']], "A's file holds its own version, not theirs");
  const shown = await cli(m.a, ['status']);
  assert.match(shown.stdout, /this machine's edit was not kept/);
  // A machine that only follows (its topology on both sides of the merge) is told nothing.
  const homeC = join(tempDir('orchestrator-machine-c-'), 'home');
  const c = { ...m.a, CLAUDE_ORCHESTRATOR_HOME: homeC };
  await cliJson(c, ['remote', 'add', 'origin', m.bare]);
  const joined = await sync(c);
  assert.ok(joined.ok, joined.error ?? '');
  assert.is.not(joined.topology, 'conflict', JSON.stringify(joined));
  assert.equal((await cliJson<{ conflicts: unknown[] }>(c, ['status'])).conflicts, []);
}
