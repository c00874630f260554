// A sync killed half-way, and syncs repeated: both sides stay consistent (fsck clean, same refs)
// and nothing is delivered twice.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { GitStore } from '../src/store/index.js';
import { sessionRef } from '../src/store/index.js';
import { cliJson, spawnCli } from './helpers/cli.js';
import { gitSync } from './helpers/gitcli.js';
import { fsckClean, makeMachines, sync } from './helpers/machines.js';
import { startServer, type Server } from './helpers/mcp.js';
import { heartbeat } from './helpers/records.js';

const servers: Server[] = [];
test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function refs(gitDir: string, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of gitSync(gitDir, ['for-each-ref', '--format=%(refname) %(objectname)', prefix]).split('\n')) {
    const [name, sha] = line.split(' ');
    if (name && sha) out.set(name.slice(prefix.length), sha);
  }
  return out;
}

test('killing syncs at random points, then syncing twice, leaves both sides whole and delivers once', async () => {
  const m = makeMachines();
  const repoA = join(m.homeA, 'coordination.git');
  const repoB = join(m.homeB, 'coordination.git');
  await cliJson(m.a, ['remote', 'add', 'origin', m.bare]);
  await cliJson(m.b, ['remote', 'add', 'origin', m.bare]);
  await sync(m.a);
  await sync(m.b);

  // Enough history that a sync takes a while: 150 session refs of 40 records on each machine.
  for (const [home, tag] of [[repoA, 'a'], [repoB, 'b']] as const) {
    const store = await GitStore.open(home, { maintenance: false });
    for (let i = 0; i < 150; i++) {
      const session = `bulk-${tag}-${i}`;
      await store.append(sessionRef(session), Array.from({ length: 40 }, () => heartbeat({ session, group: 'bulk' })));
    }
    store.close();
  }

  const serverA = await startServer(m.a);
  const serverB = await startServer(m.b);
  servers.push(serverA, serverB);
  const gateway = await serverA.call<{ sessionId: string }>('register_session', { repoPath: m.platform.repos.gateway, projectGroup: 'my-platform' });
  const frontend = await serverB.call<{ sessionId: string }>('register_session', { repoPath: m.platform.repos.frontend, projectGroup: 'my-platform' });
  const sent = await serverA.call<{ eventId: string }>('notify_related_sessions', {
    sessionId: gateway.sessionId, changeType: 'schema_change', summary: 'New field',
  });

  // Kill syncs on both machines at different moments.
  for (const [env, delay] of [[m.a, 150], [m.b, 250], [m.a, 400], [m.b, 600], [m.a, 900], [m.b, 1200]] as const) {
    const child = spawnCli(env, ['sync']);
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, delay));
    // A sync that finished before its kill has already exited: wait on the promise made at spawn.
    child.kill('SIGKILL');
    await exited;
  }
  for (const repo of [repoA, repoB, m.bare]) fsckClean(repo);

  // Then sync twice each way.
  for (const env of [m.a, m.b, m.a, m.b]) {
    const result = await sync(env);
    assert.ok(result.ok, result.error ?? '');
  }
  for (const repo of [repoA, repoB, m.bare]) fsckClean(repo);
  const onRemote = refs(m.bare, 'refs/orchestrator/');
  assert.equal(refs(repoA, 'refs/remotes/origin/orchestrator/'), onRemote, 'A holds what the remote holds');
  assert.equal(refs(repoB, 'refs/remotes/origin/orchestrator/'), onRemote, 'B holds what the remote holds');
  for (const [ref, sha] of refs(repoA, 'refs/orchestrator/sessions/')) assert.is(onRemote.get(`sessions/${ref}`), sha);
  for (const [ref, sha] of refs(repoB, 'refs/orchestrator/sessions/')) assert.is(onRemote.get(`sessions/${ref}`), sha);
  assert.is(onRemote.size, 150 * 2 + 2 + 1);

  const first = await serverB.call<{ updates: Array<{ id: string }> }>('get_cross_project_updates', { sessionId: frontend.sessionId });
  assert.equal(first.updates.map((u) => u.id), [sent.eventId]);
  for (const env of [m.b, m.a, m.b]) await sync(env);
  const again = await serverB.call<{ updates: Array<{ id: string }> }>('get_cross_project_updates', { sessionId: frontend.sessionId });
  assert.is(again.updates.length, 0, 'not delivered twice');
  const deliveries = gitSync(repoB, ['log', '--format=%s', sessionRef(frontend.sessionId)]).split('\n').filter((s) => s.includes('received'));
  assert.is(deliveries.length, 1, 'one delivery record');
});

test.run();
