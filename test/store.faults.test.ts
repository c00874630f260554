// Damage that must not stay (issue 12): the store under a hostile git config, a foreign repo
// format, damaged refs, stale locks, control characters, a read-only repo. Real git throughout;
// every test that writes ends with `git fsck --strict` clean.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GitStore as Store, StoreError } from '../src/store/index.js';
import { gitSync } from './helpers/gitcli.js';
import { heartbeat } from './helpers/records.js';
import { tempDir } from './helpers/tmp.js';

function fsck(gitDir: string): void {
  gitSync(gitDir, ['fsck', '--strict', '--no-progress', '--no-dangling']);
}

async function errorOf(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, StoreError);
    return error as StoreError;
  }
  throw new Error('expected a StoreError');
}

/** Runs `body` with extra environment variables, restoring them after. */
async function withEnv<T>(vars: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await body();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function gcDone(gitDir: string): Promise<void> {
  for (let i = 0; i < 600 && existsSync(join(gitDir, 'gc.pid')); i++) await new Promise((r) => setTimeout(r, 50));
  // gc.pid can be gone while a detached gc is still starting: wait for no git gc of this repo at all.
  for (let i = 0; i < 600; i++) {
    let running = '';
    try {
      running = execFileSync('pgrep', ['-f', '--', `--git-dir=${gitDir} .*gc --auto`], { encoding: 'utf8' });
    } catch {
      running = '';
    }
    if (!running.trim()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('case 1: background gc keeps its own prune expiry under a global gc.pruneExpire=now', async () => {
  const dir = tempDir();
  const hostile = join(dir, 'hostile.gitconfig');
  writeFileSync(hostile, '[user]\n\tname = T\n\temail = t@example.com\n[gc]\n\tpruneExpire = now\n\tauto = 1\n\tautoDetach = false\n');
  await withEnv({ GIT_CONFIG_GLOBAL: hostile }, async () => {
    const gitDir = join(dir, 'coordination.git');
    const store = await Store.open(gitDir, { maintenanceEvery: 1_000_000 });
    const [tip] = await store.append('refs/orchestrator/sessions/a', [heartbeat({ session: 'a' })]);
    // Enough loose objects that `gc --auto` runs (it samples objects/17/).
    const blobs = join(dir, 'blobs');
    execFileSync('mkdir', [blobs]);
    const paths: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const path = join(blobs, String(i));
      writeFileSync(path, `blob ${i}\n`);
      paths.push(path);
    }
    execFileSync('git', [`--git-dir=${gitDir}`, 'hash-object', '-w', '--stdin-paths'], { input: paths.join('\n') });
    // A commit written a moment before its ref moves: unreachable while gc runs.
    const pending = await store.recommit('4b825dc642cb6eb9a060e54bf8d69288fbee4904', [tip!], 'pending\n', { name: 'a', email: 'a@x', seconds: 1_700_000_000 });
    store.maintain();
    await gcDone(gitDir);
    assert.ok(readdirSync(join(gitDir, 'objects', 'pack')).some((f) => f.endsWith('.pack')), 'gc --auto ran');
    execFileSync('git', [`--git-dir=${gitDir}`, 'cat-file', '-e', pending]); // still there
    await store.compareAndSwap('refs/orchestrator/sessions/a', tip!, pending);
    store.close();
    await gcDone(gitDir);
    fsck(gitDir);
  });
});

test('case 8: init pins sha1 objects whatever GIT_DEFAULT_HASH says', async () => {
  const gitDir = join(tempDir(), 'coordination.git');
  await withEnv({ GIT_DEFAULT_HASH: 'sha256' }, async () => {
    const store = await Store.open(gitDir, { maintenance: false });
    await store.append('refs/orchestrator/sessions/a', [heartbeat({ session: 'a' })]);
    assert.is(gitSync(gitDir, ['rev-parse', '--show-object-format']).trim(), 'sha1');
    fsck(gitDir);
    store.close();
  });
});

test('case 8: a repo in another object format is refused with what to do', async () => {
  const gitDir = join(tempDir(), 'coordination.git');
  execFileSync('git', ['init', '--bare', '--quiet', '--object-format=sha256', gitDir]);
  const error = await errorOf(Store.open(gitDir, { maintenance: false }));
  assert.is(error.code, 'WRONG_FORMAT');
  assert.match(error.message, /sha256/);
  assert.match(error.message, /claude-orchestrator init/);
});

test.run();
