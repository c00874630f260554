// Damage that must not stay (issue 12): the store under a hostile git config, a foreign repo
// format, damaged refs, stale locks, control characters, a read-only repo. Real git throughout;
// every test that writes ends with `git fsck --strict` clean.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GitStore as Store, StoreError, tryIngestLock } from '../src/store/index.js';
import { withRefLock } from '../src/store/git/refs.js';
import { processAlive } from '../src/config/processes.js';
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

/** `count` distinct loose blobs in `gitDir`, from files written under `scratch`. */
function writeLooseBlobs(gitDir: string, scratch: string, count: number): void {
  mkdirSync(scratch, { recursive: true });
  const paths = Array.from({ length: count }, (_, i) => {
    const path = join(scratch, String(i));
    writeFileSync(path, `blob ${i}\n`);
    return path;
  });
  execFileSync('git', [`--git-dir=${gitDir}`, 'hash-object', '-w', '--stdin-paths'], { input: paths.join('\n') });
}

async function gcDone(gitDir: string): Promise<void> {
  for (let i = 0; i < 600 && existsSync(join(gitDir, 'gc.pid')); i++) await new Promise((r) => setTimeout(r, 50));
  // gc.pid can be gone while a detached gc is still starting: wait for no git gc of this repo at all.
  for (let i = 0; i < 600; i++) {
    let running = '';
    try {
      // The store's background shell (it reads gc.auto first), then the git gc it execs.
      running = execFileSync('pgrep', ['-f', '--', `claude-orchestrator-gc --git-dir=${gitDir}|--git-dir=${gitDir} .*gc --auto`], { encoding: 'utf8' });
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
    writeLooseBlobs(gitDir, join(dir, 'blobs'), 1500);
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

test('background gc packs loose objects past its own bound when the user\'s config turns gc.auto off', async () => {
  const dir = tempDir();
  const hostile = join(dir, 'hostile.gitconfig');
  writeFileSync(hostile, '[user]\n\tname = T\n\temail = t@example.com\n[gc]\n\tauto = 0\n\tautoDetach = false\n');
  await withEnv({ GIT_CONFIG_GLOBAL: hostile }, async () => {
    const gitDir = join(dir, 'coordination.git');
    const store = await Store.open(gitDir, { maintenanceEvery: 1_000_000 });
    await store.append('refs/orchestrator/sessions/a', [heartbeat({ session: 'a' })]);
    // Past git's default bound of 6,700 loose objects (estimated from objects/17/).
    writeLooseBlobs(gitDir, join(dir, 'blobs'), 8_000);
    store.maintain();
    await gcDone(gitDir);
    assert.ok(readdirSync(join(gitDir, 'objects', 'pack')).some((f) => f.endsWith('.pack')), 'gc --auto ran despite gc.auto=0');
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

function aged(path: string, seconds: number, content = ''): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  const then = Date.now() / 1000 - seconds;
  utimesSync(path, then, then);
}

test('case 3: a ref lock left by a killed writer is taken over; a fresh one is waited for', async () => {
  const store = await Store.open(join(tempDir(), 'coordination.git'), { maintenance: false });
  const ref = 'refs/orchestrator/sessions/a';
  await store.append(ref, [heartbeat({ session: 'a' })]);
  aged(join(store.location, `${ref}.lock`), 60);
  const started = Date.now();
  await store.append(ref, [heartbeat({ session: 'a' })]);
  assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  assert.not.ok(existsSync(join(store.location, `${ref}.lock`)));
  aged(join(store.location, `${ref}.lock`), 0);
  const error = await errorOf(withRefLock(store.location, ref, () => ({ write: undefined, result: 0 }), 300));
  assert.is(error.code, 'REF_LOCKED');
  unlinkSync(join(store.location, `${ref}.lock`));
  fsck(store.location);
  store.close();
});

test('case 3: a stale lock on a ref nobody writes again is removed when a writer opens the repo', async () => {
  const gitDir = join(tempDir(), 'coordination.git');
  (await Store.open(gitDir, { maintenance: false })).close();
  const dead = join(gitDir, 'refs/orchestrator/sessions/dead.lock');
  const young = join(gitDir, 'refs/orchestrator/sessions/young.lock');
  aged(dead, 60);
  aged(young, 0);
  (await Store.open(gitDir, { maintenance: false })).close();
  assert.ok(existsSync(dead), 'a reader (the hooks) leaves it');
  (await Store.open(gitDir)).close();
  assert.not.ok(existsSync(dead), 'a writer removes it');
  assert.ok(existsSync(young), 'a fresh lock is left to its holder');
});

test('case 3: git lock files left by a killed fetch do not block the next fetch', async () => {
  const dir = tempDir();
  const theirs = await Store.open(join(dir, 'theirs.git'), { maintenance: false });
  await theirs.append('refs/orchestrator/sessions/b', [heartbeat({ session: 'b' })]);
  const ours = await Store.open(join(dir, 'ours.git'), { maintenance: false });
  await ours.addRemote('origin', theirs.location);
  aged(join(ours.location, 'refs/remotes/origin/orchestrator/sessions/b.lock'), 60);
  aged(join(ours.location, 'packed-refs.lock'), 60);
  const result = await ours.fetch('origin', { interactive: false });
  assert.is(result.updated, 1);
  assert.ok(await ours.readRef('refs/remotes/origin/orchestrator/sessions/b'));
  fsck(ours.location);
  ours.close();
  theirs.close();
});

test('case 2: a copy of a remote ref damaged on this disk costs only itself: the fetch restores it', async () => {
  const dir = tempDir();
  const theirs = await Store.open(join(dir, 'theirs.git'), { maintenance: false });
  await theirs.append('refs/orchestrator/sessions/b', [heartbeat({ session: 'b' })]);
  await theirs.append('refs/orchestrator/sessions/c', [heartbeat({ session: 'c' })]);
  const ours = await Store.open(join(dir, 'ours.git'), { maintenance: false });
  await ours.addRemote('origin', theirs.location);
  await ours.fetch('origin', { interactive: false });
  // git refused the whole fetch, on every sync, over this one file ("reference broken").
  writeFileSync(join(ours.location, 'refs/remotes/origin/orchestrator/sessions/b'), 'garbage\n');
  await theirs.append('refs/orchestrator/sessions/c', [heartbeat({ session: 'c' })]);
  await ours.fetch('origin', { interactive: false });
  assert.is(await ours.readRef('refs/remotes/origin/orchestrator/sessions/b'), await theirs.readRef('refs/orchestrator/sessions/b'));
  assert.is(await ours.readRef('refs/remotes/origin/orchestrator/sessions/c'), await theirs.readRef('refs/orchestrator/sessions/c'));
  fsck(ours.location);
  ours.close();
  theirs.close();
});

test('case 3: a transport timeout ends the whole process group (no orphaned helper)', async () => {
  const dir = tempDir();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const marker = `orchestrator-test-helper-${process.pid}-${Date.now()}`;
  // A remote helper that starts a child of its own and never answers.
  writeFileSync(join(bin, 'git-remote-stall'), `#!/bin/sh\nsleep 300 ${marker} 2>/dev/null &\nsleep 301 ${marker}\n`);
  chmodSync(join(bin, 'git-remote-stall'), 0o755);
  // `sleep` with an extra argument fails on some systems: a shell loop keeps the marker in argv.
  writeFileSync(join(bin, 'git-remote-stall'), `#!/bin/sh\nsh -c 'while :; do sleep 1; done' ${marker} &\nsh -c 'while :; do sleep 1; done' ${marker}\n`);
  const ours = await Store.open(join(dir, 'ours.git'), { maintenance: false });
  await ours.addRemote('slow', 'stall::nowhere');
  await withEnv({ PATH: `${bin}:${process.env.PATH}` }, async () => {
    const error = await errorOf(ours.fetch('slow', { interactive: false, timeoutMs: 500 }));
    assert.match(error.message, /timed out/);
  });
  await new Promise((r) => setTimeout(r, 300));
  let left = '';
  try {
    left = execFileSync('pgrep', ['-f', '--', marker], { encoding: 'utf8' });
  } catch {
    left = '';
  }
  assert.is(left.trim(), '', `processes left: ${left}`);
  ours.close();
});

test('case 3: an ingest lock held by a reused pid for long is taken over', () => {
  const common = join(tempDir(), 'member.git');
  mkdirSync(common);
  const lock = join(common, 'orchestrator', 'ingest.lock');
  aged(lock, 20 * 60, '1\n'); // pid 1 is alive, but not an ingester for 20 minutes
  const release = tryIngestLock(common);
  assert.ok(release, 'taken over');
  release!();
  aged(lock, 0, '1\n');
  assert.is(tryIngestLock(common), null, 'a fresh lock of a live pid is respected');
});

test('case 3: an ingest lock whose holder exited but was never reaped (a zombie, as under a container init) is taken over', async () => {
  // A zombie: a child that exits while its parent (exec'd into sleep) never waits for it.
  const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const zombie = Number((await new Promise<Buffer>((r) => parent.stdout!.once('data', r))).toString().trim());
    const state = () => readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]![0];
    for (let i = 0; i < 200 && state() !== 'Z'; i++) await new Promise((r) => setTimeout(r, 10));
    assert.is(state(), 'Z');
    assert.is(processAlive(zombie), false, 'a zombie is not alive');
    assert.is(processAlive(process.pid), true);
    const common = join(tempDir(), 'member.git');
    mkdirSync(common);
    aged(join(common, 'orchestrator', 'ingest.lock'), 0, `${zombie}\n`);
    const release = tryIngestLock(common);
    assert.ok(release, 'taken over');
    release!();
    // The post-commit hook's own check says the same.
    const alive = /^alive\(\) \{[\s\S]*?^\}$/m.exec(readFileSync('hooks/post-commit', 'utf8'))![0];
    const run = (pid: number) => spawnSync('sh', ['-c', `${alive}\nalive ${pid} && echo alive || echo dead`], { encoding: 'utf8' }).stdout.trim();
    assert.is(run(zombie), 'dead');
    assert.is(run(parent.pid!), 'alive');
  } finally {
    parent.kill('SIGKILL');
  }
});

test.run();
