// What only the git store has: a bare repo on disk, git's lock files, packed refs, and the git CLI
// working on the same repo. The contract both stores keep is in store.conformance.test.ts.
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

test('topology commits are what git reads; no lock left behind', async () => {
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

test('a lock that is never released: REF_LOCKED naming the lock while fresh, taken over once stale', async () => {
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
  // A writer that died left it (issue 12): the next writer removes it and goes on.
  assert.is(await withRefLock(store.location, REF, () => ({ result: 1 }), 30), 1);
  assert.not.ok(existsSync(lock), 'the stale lock was removed');
  store.close();
});

test.run();
