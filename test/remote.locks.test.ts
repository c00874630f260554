// A ref the remote cannot lock: a `.lock` a killed push left on a remote on this disk is removed
// by age; a lock that stays is retried, then reported with what to remove.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { GitStore, sessionRef } from '../src/store/index.js';
import { CLI_LAUNCHER, cliJson } from './helpers/cli.js';
import { gitSync } from './helpers/gitcli.js';
import { fsckClean, makeMachines, sync } from './helpers/machines.js';
import { heartbeat } from './helpers/records.js';

/** A live holder of `lock`: the file kept fresh (a lock older than 5 s counts as left by a dead process). */
function holdLock(lock: string): { release(): void } {
  writeFileSync(lock, '');
  const fresh = setInterval(() => utimesSync(lock, new Date(), new Date()), 500);
  return {
    release() {
      clearInterval(fresh);
      rmSync(lock, { force: true });
    },
  };
}

/** Machine A with a remote and one session ref already pushed; returns the ref's lock path on the remote. */
async function pushedOnce() {
  const m = makeMachines();
  await cliJson(m.a, ['remote', 'add', 'origin', m.bare]);
  const store = await GitStore.open(join(m.homeA, 'coordination.git'), { maintenance: false });
  await store.append(sessionRef('api-1'), [heartbeat({ session: 'api-1', group: 'g' })]);
  assert.ok((await sync(m.a)).ok);
  await store.append(sessionRef('api-1'), [heartbeat({ session: 'api-1', group: 'g' })]);
  store.close();
  return { m, lock: join(m.bare, `${sessionRef('api-1')}.lock`) };
}

test('a lock a killed push left on a remote on this disk is removed by age, and the push goes through', async () => {
  const { m, lock } = await pushedOnce();
  writeFileSync(lock, '');
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  const result = await sync(m.a);
  assert.ok(result.ok, result.error ?? '');
  const local = gitSync(join(m.homeA, 'coordination.git'), ['rev-parse', sessionRef('api-1')]).trim();
  assert.is(gitSync(m.bare, ['rev-parse', sessionRef('api-1')]).trim(), local);
  fsckClean(m.bare);
});

test('a lock held on the remote is retried, then reported with the file to remove', async () => {
  const { m, lock } = await pushedOnce();
  const holder = holdLock(lock); // another push at work there, as far as anyone can tell
  const result = await sync(m.a, true);
  holder.release();
  assert.is(result.ok, false, JSON.stringify(result));
  assert.match(result.error ?? '', /after 3 attempt\(s\)/);
  assert.ok((result.error ?? '').includes(`left ${lock}. If no git process runs there, remove it`), result.error ?? '');
  assert.ok((await sync(m.a)).ok, 'once the lock is gone');
});

test('the topology ref locked on the remote: the same retries, and the same reason', async () => {
  const { m } = await pushedOnce();
  await cliJson(m.a, ['group', 'create', 'later']); // a topology commit to push
  const lock = join(m.bare, 'refs/orchestrator/topology.lock');
  const holder = holdLock(lock);
  const result = await sync(m.a, true);
  holder.release();
  assert.is(result.ok, false);
  assert.ok((result.error ?? '').includes(`left ${lock}.`), result.error ?? '');
  assert.ok((await sync(m.a)).ok, 'once the lock is gone');
});

test('a remote given as a relative path is stored absolute, so a sync from any folder reaches it', async () => {
  const m = makeMachines();
  const parent = dirname(m.bare);
  const added = await cliJsonIn<{ url: string }>(m.a, ['remote', 'add', 'origin', `./${basename(m.bare)}`], parent);
  assert.is(added.url, m.bare);
  assert.is(gitSync(join(m.homeA, 'coordination.git'), ['config', '--get', 'remote.origin.url']).trim(), m.bare);
  assert.ok((await sync(m.a)).ok, 'from another folder');
  // Addresses of other hosts are stored as given; a file:// URL naming a host is one of them.
  for (const [name, url] of [['scp', 'git@example.com:team/c.git'], ['https', 'https://example.com/c.git'], ['host', 'file://otherhost/srv/c.git']]) {
    assert.is(cliJsonIn<{ url: string }>(m.a, ['remote', 'add', name!, url!], parent).url, url);
  }
  // (Only the file:// one is synced: the others would reach for the network.)
  const report = await cliJson<{ remotes: Array<{ remote: string; error: string | null }> }>(m.a, ['sync', '--remote', 'host'], true);
  assert.not.match(report.remotes[0]!.error ?? '', /File URL host/);
});

test('a fetch meeting a ref lock held here for a moment (a killed sync\'s fetch still ending) tries again', async () => {
  const { m } = await pushedOnce();
  await cliJson(m.b, ['remote', 'add', 'origin', m.bare]);
  assert.ok((await sync(m.a)).ok);
  // B fetches A's session ref while another process holds the lock of B's copy of it.
  const copy = join(m.homeB, 'coordination.git', 'refs/remotes/origin/orchestrator/sessions');
  mkdirSync(copy, { recursive: true });
  const lock = join(copy, 'api-1.lock');
  writeFileSync(lock, '');
  const released = new Promise((r) => setTimeout(() => r(rmSync(lock)), 400));
  const result = await sync(m.b);
  await released;
  assert.ok(result.ok, result.error ?? '');
  assert.is(gitSync(join(m.homeB, 'coordination.git'), ['rev-parse', 'refs/remotes/origin/orchestrator/sessions/api-1']).trim(), gitSync(m.bare, ['rev-parse', sessionRef('api-1')]).trim());
});

/** The CLI's --json output, run from `cwd`. */
function cliJsonIn<T>(env: Record<string, string>, args: string[], cwd: string): T {
  const out = execFileSync(process.execPath, [CLI_LAUNCHER, ...args, '--json'], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return JSON.parse(out) as T;
}

test.run();
