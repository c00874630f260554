// The lingering ingester: with no server running, a burst of back-to-back commits through the real
// hook is served by one (at most a couple of) node ingesters, every commit becomes exactly one
// record soon after, and nothing is left running once the linger time is over.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { installHook } from '../src/app/operations/git-hooks.js';
import { changeRecords, waitFor } from './helpers/hooks.js';
import { makePlatform, startServer } from './helpers/mcp.js';
import { tempDir } from './helpers/tmp.js';

const LINGER_MS = 1000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('20 back-to-back commits, no server: one record each, at most two node starts, nothing left running', async () => {
  const platform = makePlatform({ CLAUDE_ORCHESTRATOR_INGEST_LINGER_MS: String(LINGER_MS) });
  const repo = platform.repos.auth;
  // The hook starts "node" through this wrapper, which counts the starts (its pid is node's: exec).
  const dir = tempDir('orchestrator-linger-');
  const starts = join(dir, 'starts');
  const wrapper = join(dir, 'node');
  writeFileSync(wrapper, `#!/bin/sh\necho $$ >>'${starts}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
  const report = await installHook(repo, { node: wrapper, ingest: resolve('dist/git-hooks/ingest.js'), home: platform.home, template: resolve('hooks/post-commit') });
  assert.is(report.state, 'current');

  const env = { ...process.env, ...platform.env };
  const shas: string[] = [];
  for (let i = 1; i <= 20; i++) {
    writeFileSync(join(repo, 'f.txt'), `${i}\n`);
    execFileSync('git', ['add', 'f.txt'], { cwd: repo, env });
    execFileSync('git', ['commit', '-q', '-m', `burst ${i}`], { cwd: repo, env, stdio: 'ignore' });
    shas.push(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim());
  }
  const returned = Date.now();

  // Visible while the ingester lingers (the 300 ms goal is the benchmark's; this bound allows a loaded machine).
  const records = await waitFor('20 records', async () => {
    const all = (await changeRecords(platform.home)).filter((r) => r.commit?.subject.startsWith('burst '));
    return all.length >= 20 ? all : null;
  }, 5000);
  const visibleMs = Date.now() - returned;
  assert.ok(visibleMs < 5000, `visible after ${visibleMs} ms`);

  const pids = readFileSync(starts, 'utf8').trim().split('\n').map(Number);
  assert.ok(pids.length >= 1 && pids.length <= 2, `${pids.length} ingesters started`);

  // Exactly one record per commit, in commit order.
  await new Promise((r) => setTimeout(r, 200));
  const again = (await changeRecords(platform.home)).filter((r) => r.commit?.subject.startsWith('burst '));
  assert.is(again.length, 20);
  assert.equal(again.map((r) => r.commit!.sha), shas);
  assert.is(new Set(again.map((r) => r.id)).size, 20);
  void records;

  // Gone once the linger time is over (plus start-up and a loaded machine's slack).
  const lock = join(repo, '.git', 'orchestrator', 'ingest.lock');
  await waitFor('the ingesters to exit', async () => pids.every((pid) => !alive(pid)), LINGER_MS + 4000);
  assert.not.ok(existsSync(lock), 'the ingest lock was released');
});

test('a server of the repo starting beside a lingering ingester takes the pokes over at once', async () => {
  // A long linger: without the hand-over the ingester would stay for 30 s after the last poke.
  const platform = makePlatform({ CLAUDE_ORCHESTRATOR_INGEST_LINGER_MS: '30000' });
  const repo = platform.repos.auth;
  const dir = tempDir('orchestrator-linger-');
  const starts = join(dir, 'starts');
  const wrapper = join(dir, 'node');
  writeFileSync(wrapper, `#!/bin/sh\necho $$ >>'${starts}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
  await installHook(repo, { node: wrapper, ingest: resolve('dist/git-hooks/ingest.js'), home: platform.home, template: resolve('hooks/post-commit') });
  const env = { ...process.env, ...platform.env };
  const commit = (subject: string) => execFileSync('git', ['commit', '-q', '--allow-empty', '-m', subject], { cwd: repo, env, stdio: 'ignore' });
  commit('before the server');
  await waitFor('the first record', async () => ((await changeRecords(platform.home)).some((r) => r.commit?.subject === 'before the server') ? true : null), 5000);
  const [ingester] = readFileSync(starts, 'utf8').trim().split('\n').map(Number);
  assert.ok(alive(ingester!), 'the ingester lingers');

  const server = await startServer(platform.env);
  try {
    await server.call('register_session', { repoPath: repo, projectGroup: 'my-platform' });
    await waitFor('the ingester to hand over', async () => (alive(ingester!) ? null : true), 5000);
    commit('after the server');
    await waitFor('the record of the served commit', async () => ((await changeRecords(platform.home)).some((r) => r.commit?.subject === 'after the server') ? true : null), 5000);
    assert.is(readFileSync(starts, 'utf8').trim().split('\n').length, 1, 'the hook started no other ingester: the server ingested');
  } finally {
    await server.close();
  }
});

test.run();
