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

  // status names the damage, prints the whole report, and exits 1.
  const status = await cliJson<Status>(platform.env, ['status', 'my-platform'], true);
  assert.is((await cli(platform.env, ['status', 'my-platform', '--json'])).code, 1);
  const ids = status.groups[0]!.sessions.map((s) => s.sessionId);
  assert.ok(ids.includes(c.sessionId), 'the undamaged session is listed');
  const text = await cli(platform.env, ['status', 'my-platform']);
  assert.is(text.code, 1);
  assert.match(text.stdout, c.sessionId);
  assert.match(text.stdout, `problem: damaged ref refs/orchestrator/sessions/${a.sessionId}`);
  const named = (id: string) => status.problems.find((p) => p.includes(`refs/orchestrator/sessions/${id}`));
  assert.ok(named(a.sessionId), JSON.stringify(status.problems));
  assert.match(named(a.sessionId)!, /Repair: git --git-dir=.* update-ref -d/);
  assert.ok(named(b.sessionId), JSON.stringify(status.problems));
  assert.match(named(b.sessionId)!, /Repair: rm /);
  // Tool calls of the other sessions go on.
  await server.call('get_cross_project_updates', { sessionId: c.sessionId });
  const log = await cli(platform.env, ['log', '-n', '5']);
  assert.is(log.code, 0, log.stderr);

  // The repairs the status names leave a clean repo.
  execFileSync('git', [`--git-dir=${repo}`, 'update-ref', '-d', `refs/orchestrator/sessions/${a.sessionId}`]);
  execFileSync('rm', [join(repo, 'refs/orchestrator/sessions', b.sessionId)]);
  await server.call('get_cross_project_updates', { sessionId: c.sessionId });
  fsck(repo);
  const repaired = await cli(platform.env, ['status', 'my-platform']);
  assert.is(repaired.code, 0, repaired.stdout);
  assert.not.match(repaired.stdout, 'problem:');
});

/** Writes a commit carrying `record` as it is (no validation) on `ref`, as a hostile remote would. */
function forge(repo: string, ref: string, record: Record<string, unknown>): string {
  let parent = '';
  try {
    parent = gitSync(repo, ['rev-parse', '--verify', '-q', ref]).trim();
  } catch {
    parent = '';
  }
  const message = `forged\n\nOrchestrator-Record: ${JSON.stringify(record)}\n`;
  const args = ['commit-tree', '4b825dc642cb6eb9a060e54bf8d69288fbee4904', ...(parent ? ['-p', parent] : []), '-F', '-'];
  const sha = execFileSync('git', [`--git-dir=${repo}`, ...args], { encoding: 'utf8', input: message }).trim();
  gitSync(repo, ['update-ref', ref, sha]);
  return sha;
}

test('cases 4 and 9: forged and invalid records from a remote are skipped, counted and named', async () => {
  const platform = makePlatform();
  const repo = join(platform.home, 'coordination.git');
  const server = await startServer(platform.env);
  servers.push(server);
  const gateway = await server.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.gateway, projectGroup: 'my-platform' });
  const frontend = await server.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.frontend, projectGroup: 'my-platform' });
  // Case 4: a NUL, a BEL and an ESC in a summary: written, but never raw into a commit.
  const sent = await server.call<{ eventId: string }>('notify_related_sessions', {
    sessionId: gateway.sessionId, changeType: 'api_endpoint_change', summary: 'renamed\u0000 /users\u0007 \u001b[31mred', notify: ['frontend'],
  });
  const now = Date.now();
  const base = { v: 1, group: 'my-platform', at: now, clock: 5 };
  const evil = 'refs/remotes/origin/orchestrator/sessions/evil';
  forge(repo, evil, { ...base, kind: 'session.registered', id: 'evil-reg', role: 'auth', session: 'evil', repoPath: '/x', host: 'h', pid: 1 });
  // Authority: an end, a delivery and an acknowledgement for another session, from evil's ref.
  forge(repo, evil, { ...base, kind: 'session.ended', id: 'evil-end', role: 'frontend', session: frontend.sessionId, reason: 'forged' });
  forge(repo, evil, { ...base, kind: 'delivered', id: 'evil-del', role: 'frontend', session: frontend.sessionId, eventIds: [sent.eventId] });
  // Invalid: fields of the wrong type, a clock that would stop every clock.
  forge(repo, evil, { ...base, kind: 'event', id: 'evil-types', role: 'auth', session: 'evil', types: 'x', summary: 12345, priority: 'high', targets: [{ role: 'frontend', via: [], priority: 'high' }], source: 'tool' });
  forge(repo, evil, { ...base, kind: 'session.heartbeat', id: 'evil-clock', role: 'auth', session: 'evil', clock: 1e308 });
  // Case 10: a 200,000-character summary never comes back whole.
  forge(repo, evil, { ...base, kind: 'event', id: 'evil-long', role: 'auth', session: 'evil', types: ['schema_change'], summary: 'y'.repeat(200_000), priority: 'high', targets: [{ role: 'frontend', via: [], priority: 'high' }], source: 'tool' });

  const updates = await server.call<{ updates: Array<{ eventId?: string; id?: string; summary: string }> }>('get_cross_project_updates', { sessionId: frontend.sessionId, peek: true });
  const summaries = JSON.stringify(updates);
  assert.ok(summaries.includes(sent.eventId), summaries); // not "delivered" by evil, not ended
  assert.ok(summaries.length < 10_000, `updates of ${summaries.length} characters`);
  // Skipped records are problems: the whole report, and exit 1.
  const status = await cliJson<Status>(platform.env, ['status', 'my-platform'], true);
  assert.is((await cli(platform.env, ['status', 'my-platform'])).code, 1);
  const mine = status.groups[0]!.sessions.find((s) => s.sessionId === frontend.sessionId)!;
  assert.is(mine.status, 'active');
  const problems = status.problems.join('\n');
  assert.match(problems, /not authorized: session.ended of session/);
  assert.match(problems, /not authorized: delivered of session/);
  assert.match(problems, /invalid: event evil-types types/);
  assert.match(problems, /invalid: session.heartbeat evil-clock clock/);
  assert.match(problems, /invalid: event evil-long summary is 200000 characters long/);
  // The clock keeps counting from what is believable.
  await server.call('heartbeat', { sessionId: gateway.sessionId, currentTask: 'next' });
  const tip = gitSync(repo, ['rev-parse', `refs/orchestrator/sessions/${gateway.sessionId}`]).trim();
  const clock = Number(/Clock: (\d+)/.exec(gitSync(repo, ['cat-file', 'commit', tip]))![1]);
  assert.ok(clock < 1000, `clock ${clock}`);
  // `log` reads everything, prints no control character.
  const log = await cli(platform.env, ['log', '-n', '50']);
  assert.is(log.code, 0, log.stderr);
  // eslint-disable-next-line no-control-regex
  assert.not.match(log.stdout, /[\u0000-\u0008\u000b-\u001f\u007f]/);
  assert.ok(log.stdout.includes('renamed'), log.stdout);
  fsck(repo);
});

/** Makes `dir` read-only for this process (a read-only bind mount as root, chmod otherwise); null when impossible. */
function readOnly(dir: string): (() => void) | null {
  if (process.getuid?.() === 0) {
    try {
      execFileSync('mount', ['--bind', dir, dir], { stdio: 'ignore' });
    } catch {
      return null;
    }
    try {
      execFileSync('mount', ['-o', 'remount,bind,ro', dir, dir], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', [dir], { stdio: 'ignore' });
      return null;
    }
    return () => execFileSync('umount', [dir], { stdio: 'ignore' });
  }
  execFileSync('chmod', ['-R', 'a-w', dir]);
  return () => execFileSync('chmod', ['-R', 'u+w', dir]);
}

test('case 5: a read-only coordination repo still reads: status, log, a server\'s read-only tools', async () => {
  const platform = makePlatform();
  const first = await startServer(platform.env);
  const gateway = await first.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.gateway, projectGroup: 'my-platform', currentTask: 'before' });
  await first.call('notify_related_sessions', { sessionId: gateway.sessionId, changeType: 'api_endpoint_change', summary: 'renamed /users', notify: ['frontend'] });
  await first.close();
  const undo = readOnly(platform.home);
  if (!undo) {
    console.log('  (skipped: cannot make a folder read-only here)');
    return;
  }
  try {
    const status = await cli(platform.env, ['status', '--json']);
    assert.is(status.code, 0, status.stderr);
    // The session ended with its server: status counts it (it lists live sessions only).
    assert.is((JSON.parse(status.stdout) as { groups: Array<{ ended: number }> }).groups[0]!.ended, 1, status.stdout);
    const log = await cli(platform.env, ['log', '-n', '5']);
    assert.is(log.code, 0, log.stderr);
    assert.ok(log.stdout.includes('renamed /users'), log.stdout);
    const server = await startServer(platform.env);
    servers.push(server);
    const topology = await server.call<Record<string, unknown>>('get_topology', {});
    assert.ok(JSON.stringify(topology).includes('frontend'));
    await server.call('list_group_sessions', { projectGroup: 'my-platform' });
  } finally {
    undo();
  }
});

test.run();
