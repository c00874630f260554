// Issue 12, case 11: two machines whose clocks differ by 30 minutes. A 20-minute sync point
// requested on B was already expired on A, and B's running session showed stale on A. Each
// machine now learns the other's offset from when fresh records arrive (core/clock-skew.ts) and
// reads the other's times on its own clock. B runs 30 minutes behind through the diagnosis
// switch CLAUDE_ORCHESTRATOR_CLOCK_OFFSET_MS.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cliJson } from './helpers/cli.js';
import { makeMachines, sync } from './helpers/machines.js';
import { startServer, type Server } from './helpers/mcp.js';

interface Status {
  groups: Array<{ name: string; sessions: Array<{ sessionId: string; role: string; status: string }>; pendingSyncPoints: Array<{ syncPointId: string }> }>;
}

const servers: Server[] = [];
test.after(async () => {
  await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
});

test('30 minutes of skew: each machine sees the other live, and a 20-minute sync point pending', async () => {
  const m = makeMachines();
  const b = { ...m.b, CLAUDE_ORCHESTRATOR_CLOCK_OFFSET_MS: String(-30 * 60_000) };
  await cliJson(m.a, ['remote', 'add', 'origin', m.bare]);
  await cliJson(b, ['remote', 'add', 'origin', m.bare]);
  assert.ok((await sync(m.a)).ok);
  assert.ok((await sync(b)).ok);

  const serverA = await startServer(m.a);
  const serverB = await startServer(b);
  servers.push(serverA, serverB);
  const { sessionId: auth } = await serverA.call<{ sessionId: string }>('register_session', { repoPath: m.platform.repos.auth, projectGroup: 'my-platform' });
  const { sessionId: gateway } = await serverB.call<{ sessionId: string }>('register_session', { repoPath: m.platform.repos.gateway, projectGroup: 'my-platform' });
  const round = async () => {
    assert.ok((await sync(b)).ok);
    assert.ok((await sync(m.a)).ok);
    assert.ok((await sync(b)).ok);
  };
  await round();
  // Each live server writes a record now and then (here: a new task) and shares it promptly.
  for (const step of [1, 2, 3]) {
    await serverA.call('heartbeat', { sessionId: auth, currentTask: `auth step ${step}` });
    await serverB.call('heartbeat', { sessionId: gateway, currentTask: `gateway step ${step}` });
    await round();
  }

  const { syncPointId } = await serverB.call<{ syncPointId: string }>('request_sync_point', {
    sessionId: gateway, description: 'migrate before the deploy', participants: ['frontend'], timeoutSeconds: 20 * 60,
  });
  await round();

  const onA = (await cliJson<Status>(m.a, ['status'], true)).groups.find((g) => g.name === 'my-platform')!;
  assert.is(onA.sessions.find((s) => s.sessionId === gateway)?.status, 'active', `B's session on A: ${JSON.stringify(onA.sessions)}`);
  assert.ok(onA.pendingSyncPoints.some((p) => p.syncPointId === syncPointId), 'the 20-minute sync point is pending on A, not expired');
  const onB = (await cliJson<Status>(b, ['status'], true)).groups.find((g) => g.name === 'my-platform')!;
  assert.is(onB.sessions.find((s) => s.sessionId === auth)?.status, 'active', `A's session on B: ${JSON.stringify(onB.sessions)}`);
});

test.run();
