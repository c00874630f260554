// Damage that must cost only itself (issue 12), through real server and CLI processes:
// damaged refs, control characters, a read-only coordination repo, records forged on a remote.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, cliJson } from './helpers/cli.js';
import { gitSync } from './helpers/gitcli.js';
import { makePlatform, startServer, type Server } from './helpers/mcp.js';

const servers: Server[] = [];
test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

interface Status {
  groups: Array<{ name: string; sessions: Array<{ sessionId: string; status: string }> }>;
  problems: string[];
}

function fsck(gitDir: string): void {
  gitSync(gitDir, ['fsck', '--strict', '--no-progress', '--no-dangling']);
}

test('case 2: a ref at a missing object and a garbage ref cost only themselves, named with a repair', async () => {
  const platform = makePlatform();
  const repo = join(platform.home, 'coordination.git');
  const server = await startServer(platform.env);
  servers.push(server);
  const a = await server.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.gateway, projectGroup: 'my-platform' });
  const b = await server.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.frontend, projectGroup: 'my-platform' });
  const c = await server.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.auth, projectGroup: 'my-platform' });
  // a: a ref at an object that is not there; b: a ref file holding garbage.
  writeFileSync(join(repo, 'refs/orchestrator/sessions', a.sessionId), 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef\n');
  writeFileSync(join(repo, 'refs/orchestrator/sessions', b.sessionId), 'garbage\n');

  const status = await cliJson<Status>(platform.env, ['status', 'my-platform']);
  const ids = status.groups[0]!.sessions.map((s) => s.sessionId);
  assert.ok(ids.includes(c.sessionId), 'the undamaged session is listed');
  const named = (id: string) => status.problems.find((p) => p.includes(`refs/orchestrator/sessions/${id}`));
  assert.ok(named(a.sessionId), JSON.stringify(status.problems));
  assert.match(named(a.sessionId)!, /Repair: git --git-dir=.* update-ref -d/);
  assert.ok(named(b.sessionId), JSON.stringify(status.problems));
  assert.match(named(b.sessionId)!, /Repair: rm /);
  // Tool calls of the other sessions go on.
  await server.call('get_cross_project_updates', { sessionId: c.sessionId });
  const text = await cli(platform.env, ['log', '-n', '5']);
  assert.is(text.code, 0, text.stderr);

  // The repairs the status names leave a clean repo.
  execFileSync('git', [`--git-dir=${repo}`, 'update-ref', '-d', `refs/orchestrator/sessions/${a.sessionId}`]);
  execFileSync('rm', [join(repo, 'refs/orchestrator/sessions', b.sessionId)]);
  await server.call('get_cross_project_updates', { sessionId: c.sessionId });
  fsck(repo);
});

test.run();
