import { existsSync, mkdirSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GitStore as Store, StoreError, StaleRefError } from '../src/store/index.js';
import { EMPTY_TREE } from '../src/store/objects.js';
import { withRefLock } from '../src/store/git/refs.js';
import { gitSync } from './helpers/gitcli.js';
import { heartbeat, topologyRecord } from './helpers/records.js';
import { tempDir } from './helpers/tmp.js';

const REF = 'refs/orchestrator/sessions/api-1';

async function fresh(): Promise<Store> {
  return Store.open(join(tempDir(), 'coordination.git'), { maintenance: false });
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, StoreError);
    return (error as StoreError).code;
  }
  throw new Error('expected a StoreError');
}

test('open creates a bare repo with the empty tree and no reflogs', async () => {
  const store = await fresh();
  assert.is(gitSync(store.location, ['rev-parse', '--is-bare-repository']).trim(), 'true');
  assert.is(gitSync(store.location, ['config', 'core.logAllRefUpdates']).trim(), 'false');
  assert.is(gitSync(store.location, ['cat-file', '-t', EMPTY_TREE]).trim(), 'tree');
  store.close();
  const again = await Store.open(store.location, { create: false });
  again.close();
});

test('append then read back: one commit per record, chained in order', async () => {
  const store = await fresh();
  const records = [heartbeat(), heartbeat(), heartbeat()];
  const shas = await store.append(REF, records);
  assert.is(shas.length, 3);
  assert.is(await store.readRef(REF), shas[2]);
  const walked = await store.walk(shas[2]!);
  assert.equal(walked.map((c) => c.sha), [...shas].reverse());
  assert.equal(walked.map((c) => c.record), [...records].reverse());
  assert.equal(walked[0]!.parents, [shas[1]]);
  assert.equal(walked[2]!.parents, []);
  assert.is(walked[0]!.time, Math.floor(records[2]!.at / 1000) * 1000);
  assert.is(walked[0]!.tree, EMPTY_TREE);
  const more = await store.append(REF, [heartbeat()]);
  assert.equal((await store.readCommit(more[0]!)).parents, [shas[2]]);
  assert.equal(await store.append(REF, []), []);
  store.close();
});

test('commit format is what git writes: fsck --strict clean, subjects in git log', async () => {
  const store = await fresh();
  const record = heartbeat({ at: 1_700_000_000_500 });
  const [sha] = await store.append(REF, [record]);
  await store.append('refs/orchestrator/other', [heartbeat()], { author: { name: 'Ann <x>', email: 'ann@example.com' } });
  const raw = gitSync(store.location, ['cat-file', 'commit', sha!]);
  assert.ok(raw.includes('\nauthor api (shop) <api-1@orchestrator.invalid> 1700000000 +0000\n'), raw);
  assert.ok(raw.includes('\ncommitter api (shop) <api-1@orchestrator.invalid> 1700000000 +0000\n'), raw);
  assert.is(gitSync(store.location, ['log', '--format=%s', REF]).trim(), `api-1 heartbeat: ${record.currentTask}`);
  assert.is(gitSync(store.location, ['log', '--format=%an <%ae>', 'refs/orchestrator/other']).trim(), 'Ann x <ann@example.com>');
  gitSync(store.location, ['fsck', '--strict', '--no-progress']);
  store.close();
});

test('walk: stopAt, limit, notBefore', async () => {
  const store = await fresh();
  const records = Array.from({ length: 10 }, (_, i) => heartbeat({ at: 1_800_000_000_000 + i * 60_000 }));
  const shas = await store.append(REF, records);
  const tip = shas[9]!;
  assert.equal((await store.walk(tip, { limit: 3 })).map((c) => c.sha), [shas[9], shas[8], shas[7]]);
  assert.equal((await store.walk(tip, { stopAt: (s) => s === shas[6] })).map((c) => c.sha), [shas[9], shas[8], shas[7]]);
  assert.equal(await store.walk(tip, { stopAt: (s) => s === tip }), []);
  const since = 1_800_000_000_000 + 7 * 60_000;
  assert.equal((await store.walk(tip, { notBefore: since })).map((c) => c.sha), [shas[9], shas[8], shas[7]]);
  assert.equal(await store.walk(tip, { limit: 0 }), []);
  store.close();
});

test('walk follows every parent of a merge, once each, newest first', async () => {
  const store = await fresh();
  const [base] = await store.append('refs/orchestrator/a', [heartbeat({ at: 1_800_000_000_000 })]);
  gitSync(store.location, ['update-ref', 'refs/orchestrator/b', base!]);
  const [a1] = await store.append('refs/orchestrator/a', [heartbeat({ at: 1_800_000_010_000 })]);
  const [b1] = await store.append('refs/orchestrator/b', [heartbeat({ at: 1_800_000_020_000 })]);
  const merge = gitSync(store.location, ['commit-tree', EMPTY_TREE, '-p', a1!, '-p', b1!, '-m', 'merge remote copy']).trim();
  const walked = await store.walk(merge);
  assert.equal(walked.map((c) => c.sha), [merge, b1, a1, base]);
  assert.is(walked[0]!.record, undefined);
  assert.match(walked[0]!.problem ?? '', /not-a-record/);
  store.close();
});

test('newer record versions and foreign commits give a problem, never a throw', async () => {
  const store = await fresh();
  const future = gitSync(store.location, ['commit-tree', EMPTY_TREE, '-m', 'x\n\nOrchestrator-Record: {"v":99}']).trim();
  const [commit] = await store.walk(future);
  assert.match(commit!.problem ?? '', /newer-version/);
  store.close();
});

test('listRefs merges loose and packed refs, loose wins; appends continue after pack-refs', async () => {
  const store = await fresh();
  await store.append('refs/orchestrator/sessions/s1', [heartbeat()]);
  await store.append('refs/orchestrator/changes/m/shop/api', [heartbeat()]);
  const [remote] = await store.append('refs/orchestrator/sessions/s2', [heartbeat()]);
  gitSync(store.location, ['update-ref', 'refs/remotes/laptop/orchestrator/sessions/s9', remote!]);
  gitSync(store.location, ['update-ref', 'refs/heads/main', remote!]);
  gitSync(store.location, ['pack-refs', '--all']);
  assert.not.ok(existsSync(join(store.location, 'refs/orchestrator/sessions/s1')));
  const [s1b] = await store.append('refs/orchestrator/sessions/s1', [heartbeat()]);
  const refs = await store.listRefs();
  assert.equal([...refs.keys()].sort(), [
    'refs/orchestrator/changes/m/shop/api',
    'refs/orchestrator/sessions/s1',
    'refs/orchestrator/sessions/s2',
    'refs/remotes/laptop/orchestrator/sessions/s9',
  ]);
  assert.is(refs.get('refs/orchestrator/sessions/s1'), s1b);
  assert.is(gitSync(store.location, ['rev-parse', 'refs/orchestrator/sessions/s1']).trim(), s1b);
  assert.equal([...(await store.listRefs(['refs/orchestrator/sess'])).keys()].sort(), [
    'refs/orchestrator/sessions/s1',
    'refs/orchestrator/sessions/s2',
  ]);
  assert.is((await store.walk(s1b!)).length, 2);
  store.close();
});

test('git CLI on the same repo between appends: update-ref, gc, deleteRef', async () => {
  const store = await fresh();
  const first = await store.append(REF, [heartbeat(), heartbeat()]);
  gitSync(store.location, ['update-ref', REF, first[0]!, first[1]!]); // rewind with git's own CAS
  const [next] = await store.append(REF, [heartbeat()]);
  assert.equal((await store.readCommit(next!)).parents, [first[0]]);
  gitSync(store.location, ['gc', '--quiet', '--prune=now']);
  assert.not.ok(existsSync(join(store.location, 'objects', next!.slice(0, 2), next!.slice(2))));
  const after = await store.append(REF, [heartbeat()]);
  assert.is((await store.walk(after[0]!)).length, 3); // reads from the pack and loose alike
  await store.deleteRef(REF, after[0]!);
  assert.is(await store.readRef(REF), null);
  assert.is(gitSync(store.location, ['for-each-ref', REF]).trim(), '');
  gitSync(store.location, ['fsck', '--strict', '--no-progress']);
  store.close();
});

test('topology: commit, read, CAS failure with the actual tip, extra parents', async () => {
  const store = await fresh();
  assert.is(await store.readTopology(), null);
  const one = await store.commitTopology('groups: []\n', topologyRecord('init'), null);
  assert.equal(await store.readTopology(), { sha: one, text: 'groups: []\n' });
  const entry = await store.readTreeEntry(one, 'topology.yml');
  assert.is(entry?.type, 'blob');
  assert.is(await store.readTreeEntry(one, 'nope.yml'), null);
  assert.is(gitSync(store.location, ['show', `${one}:topology.yml`]), 'groups: []\n');
  try {
    await store.commitTopology('groups: [x]\n', topologyRecord('stale edit'), null);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, StaleRefError);
    assert.is((error as StaleRefError).code, 'STALE_REF');
    assert.is((error as StaleRefError).actual, one);
  }
  assert.not.ok(existsSync(join(store.location, 'refs/orchestrator/topology.lock')));
  const [other] = await store.append('refs/orchestrator/remote-topology', [heartbeat()]);
  const two = await store.commitTopology('groups: [a]\n', topologyRecord('add a'), one, [other!]);
  assert.equal((await store.readCommit(two)).parents, [one, other]);
  assert.is((await store.readTopology())?.text, 'groups: [a]\n');
  assert.is((await store.readCommit(two)).record?.kind, 'topology');
  gitSync(store.location, ['fsck', '--strict', '--no-progress']);
  store.close();
});

test('maxClock: highest clock among all tips', async () => {
  const store = await fresh();
  assert.is(await store.maxClock(), 0);
  await store.append('refs/orchestrator/a', [heartbeat({ clock: 5 }), heartbeat({ clock: 7 })]);
  await store.append('refs/orchestrator/b', [heartbeat({ clock: 42 }), heartbeat({ clock: 3 })]);
  assert.is(await store.maxClock(), 7);
  await store.append('refs/orchestrator/b', [heartbeat({ clock: 50 })]);
  assert.is(await store.maxClock(), 50);
  store.close();
});

test('missing and damaged repos', async () => {
  const dir = tempDir();
  const missing = join(dir, 'nope.git');
  const error = await Store.open(missing, { create: false }).catch((e) => e);
  assert.is(error.code, 'MISSING_REPO');
  assert.match(error.message, missing);
  assert.match(error.message, 'claude-orchestrator init');
  assert.not.ok(existsSync(missing));
  const junk = join(dir, 'junk');
  mkdirSync(junk);
  writeFileSync(join(junk, 'notes.txt'), 'hello');
  assert.is(await code(Store.open(junk)), 'DAMAGED_REPO');
  const file = join(dir, 'file');
  writeFileSync(file, 'x');
  assert.is(await code(Store.open(file, { create: false })), 'DAMAGED_REPO');
});

test('bad ref names are rejected', async () => {
  const store = await fresh();
  for (const ref of [
    'refs/heads/main',
    'refs/orchestrator/',
    'refs/orchestrator/a..b',
    'refs/orchestrator/.hidden',
    'refs/orchestrator/a/.b',
    'refs/orchestrator/x.lock',
    'refs/orchestrator/x.lock/y',
    'refs/orchestrator/a b',
    'refs/orchestrator/a~1',
    'refs/orchestrator/a^',
    'refs/orchestrator/a:b',
    'refs/orchestrator/a?',
    'refs/orchestrator/a*',
    'refs/orchestrator/a[',
    'refs/orchestrator/a\\b',
    'refs/orchestrator/a\nb',
    'refs/orchestrator/a//b',
    'refs/orchestrator/a/',
    'refs/orchestrator/a.',
    'refs/orchestrator/a@{1}',
  ]) {
    assert.is(await code(store.append(ref, [heartbeat()])), 'BAD_REF_NAME', ref);
  }
  store.close();
});

test('a held lock makes append wait, then succeed when released', async () => {
  const store = await fresh();
  await store.append(REF, [heartbeat()]);
  const lock = join(store.location, `${REF}.lock`);
  writeFileSync(lock, '');
  const pending = store.append(REF, [heartbeat()]);
  await new Promise((r) => setTimeout(r, 50));
  unlinkSync(lock);
  assert.is((await pending).length, 1);
  store.close();
});

test('a lock that is never released: REF_LOCKED naming the lock, and how to remove a stale one', async () => {
  const store = await fresh();
  const lock = join(store.location, `${REF}.lock`);
  mkdirSync(join(lock, '..'), { recursive: true });
  writeFileSync(lock, '');
  const fresh1 = await withRefLock(store.location, REF, () => ({ result: 1 }), 30).catch((e) => e);
  assert.is(fresh1.code, 'REF_LOCKED');
  assert.match(fresh1.message, lock);
  assert.is(fresh1.data.stale, false);
  const old = new Date(Date.now() - 120_000);
  utimesSync(lock, old, old);
  const stale = await withRefLock(store.location, REF, () => ({ result: 1 }), 30).catch((e) => e);
  assert.is(stale.data.stale, true);
  assert.match(stale.message, `rm '${lock}'`);
  assert.ok(existsSync(lock), 'a stale lock is reported, never removed silently');
  store.close();
});

test('missing objects give MISSING_OBJECT; a closed store refuses reads', async () => {
  const store = await fresh();
  assert.is(await code(store.readCommit('0'.repeat(40))), 'MISSING_OBJECT');
  assert.is(await code(store.readBlob(EMPTY_TREE)), 'BAD_OBJECT');
  store.close();
  assert.is(await code(store.readCommit(EMPTY_TREE)), 'CLOSED');
});

test.run();
