// `status`: sessions with liveness and task, pending sync points and who they wait for, remotes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, cliJson } from './helpers/cli.js';
import { makePlatform, startServer, type Server } from './helpers/mcp.js';

const servers: Server[] = [];
test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

test('status lists sessions, the sync points still pending and whom they wait for', async () => {
  const platform = makePlatform();
  const server = await startServer(platform.env);
  servers.push(server);
  const gateway = await server.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.gateway, projectGroup: 'my-platform', currentTask: 'Rename fields' });
  const frontend = await server.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.frontend, projectGroup: 'my-platform' });
  const sp = await server.call<{ syncPointId: string }>('request_sync_point', { sessionId: gateway.sessionId, description: 'Ship v2', participants: ['frontend', 'auth'] });
  await server.call('unregister_session', { sessionId: frontend.sessionId });

  const status = await cliJson<{
    groups: Array<{ name: string; ended: number; sessions: Array<{ sessionId: string; status: string; currentTask: string | null }>; pendingSyncPoints: Array<{ syncPointId: string; waitingFor: Array<{ role: string; sessions: string[] }> }> }>;
    remotes: unknown[];
  }>(platform.env, ['status', 'my-platform']);
  const group = status.groups[0]!;
  assert.equal(group.sessions.map((s) => [s.sessionId, s.status, s.currentTask]), [
    [gateway.sessionId, 'active', 'Rename fields'],
  ]);
  assert.is(group.ended, 1, 'ended sessions are counted, not listed');
  assert.equal(group.pendingSyncPoints.map((p) => p.syncPointId), [sp.syncPointId]);
  assert.equal(group.pendingSyncPoints[0]!.waitingFor, [{ role: 'frontend', sessions: [] }, { role: 'auth', sessions: [] }]);
  assert.equal(status.remotes, []);
  const text = await cli(platform.env, ['status']);
  assert.ok(text.stdout.includes('waiting for frontend (nobody running), auth (nobody running)'), text.stdout);
  assert.ok(text.stdout.includes('task: Rename fields'), text.stdout);
});

test.run();
