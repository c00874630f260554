// Issue 12, case 11: two machines with one machine id (a copied home, a cloned VM, containers
// with the same host name and home path) overwrote each other's pushes on every sync, each
// reporting `ok, pushed: 1`. The duplicate is now found from the remote: a ref only this machine
// writes holds commits it never wrote there. Nothing is forced over them, and the sync says what
// to do.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { changesRef, openGitStore } from '../src/store/index.js';
import { cliJson } from './helpers/cli.js';
import { fsckClean, makeMachines, sync } from './helpers/machines.js';
import { changeEvent } from './helpers/records.js';

const ID = 'feedfacecafebeef';

/** One commit event of auth, ingested on `home`'s changes ref for machine ID. */
async function ingestOne(home: string, summary: string): Promise<string> {
  const store = await openGitStore(join(home, 'coordination.git'));
  try {
    const ref = changesRef(ID, 'my-platform', 'auth');
    const record = changeEvent(['gateway'], { group: 'my-platform', role: 'auth', source: 'commit', summary, session: undefined });
    await store.append(ref, [record]);
    return ref;
  } finally {
    store.close();
  }
}

test('two machines with one machine id: the second sync refuses to overwrite, names the refs and the fix', async () => {
  const m = makeMachines();
  for (const home of [m.homeA, m.homeB]) {
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'machine-id'), `${ID}\n`);
  }
  await cliJson(m.a, ['remote', 'add', 'origin', m.bare]);
  await cliJson(m.b, ['remote', 'add', 'origin', m.bare]);
  assert.ok((await sync(m.a)).ok);
  assert.ok((await sync(m.b)).ok, 'B takes the topology');

  const ref = await ingestOne(m.homeA, 'commit on A');
  await ingestOne(m.homeB, 'commit on B');
  const a = await sync(m.a);
  assert.ok(a.ok, a.error ?? '');
  const pushedByA = execFileSync('git', [`--git-dir=${m.bare}`, 'rev-parse', ref], { encoding: 'utf8' }).trim();

  const b = await sync(m.b, true);
  assert.not.ok(b.ok, 'a duplicate writer is a failed sync, not "ok, pushed"');
  assert.match(b.error ?? '', new RegExp(`${ref.replace(/\//g, '\\/')}.*did not write`));
  assert.match(b.error ?? '', /another machine uses this machine's id/);
  assert.match(b.error ?? '', /machine-id --renew/);
  const onRemote = execFileSync('git', [`--git-dir=${m.bare}`, 'rev-parse', ref], { encoding: 'utf8' }).trim();
  assert.is(onRemote, pushedByA, "A's records were not overwritten");
  const status = await cliJson<{ remotes: Array<{ ok: boolean; error: string }> }>(m.b, ['status'], true);
  assert.match(status.remotes[0]!.error, /did not write/, 'status shows it');
  const flagged = await cliJson<{ id: string; problem: string | null }>(m.b, ['machine-id'], true);
  assert.match(flagged.problem ?? '', /another machine uses id feedfacecafebeef.*machine-id --renew/, 'machine-id says so too');

  // Fixed as told: B renews its id; what it wrote moves to its new id's refs and is shared.
  const renewed = await cliJson<{ previous: string; id: string; moved: { from: string; to: string }[] }>(m.b, ['machine-id', '--renew']);
  assert.is(renewed.previous, ID);
  assert.is.not(renewed.id, ID);
  assert.equal(renewed.moved.map((r) => r.from), [ref]);
  const shown = await cliJson<{ id: string; problem: string | null }>(m.b, ['machine-id']);
  assert.equal(shown, { id: renewed.id, problem: null });
  const fixed = await sync(m.b);
  assert.ok(fixed.ok, fixed.error ?? '');
  assert.ok((await sync(m.a)).ok);
  for (const env of [m.a, m.b]) {
    const log = await cliJson<{ entries: Array<{ summary: string }> }>(env, ['log', '-n', '20']);
    const summaries = log.entries.map((e) => e.summary);
    assert.ok(summaries.some((t) => t.includes('commit on A')) && summaries.some((t) => t.includes('commit on B')), `both records are seen on each machine: ${summaries.join(' | ')}`);
  }
  fsckClean(m.bare);
});

test.run();
