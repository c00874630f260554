// A ref the remote cannot lock: a `.lock` a killed push left on a remote on this disk is removed
// by age; a lock that stays is retried, then reported with what to remove.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitStore, sessionRef } from '../src/store/index.js';
import { cliJson } from './helpers/cli.js';
import { gitSync } from './helpers/gitcli.js';
import { fsckClean, makeMachines, sync } from './helpers/machines.js';
import { heartbeat } from './helpers/records.js';

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
  writeFileSync(lock, ''); // fresh: another push at work, as far as anyone can tell
  const result = await sync(m.a, true);
  assert.is(result.ok, false, JSON.stringify(result));
  assert.match(result.error ?? '', /after 3 attempt\(s\)/);
  assert.match(result.error ?? '', /\.lock/);
  assert.match(result.error ?? '', /remove that file on the remote/);
  rmSync(lock);
  assert.ok((await sync(m.a)).ok, 'once the lock is gone');
});

test.run();
