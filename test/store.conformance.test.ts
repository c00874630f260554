// One contract, two stores: every test here runs against the git store and the in-memory store
// (the model is git-bug's RepoTest: one suite taking a factory). What only the git store has (its
// files, locks, the git CLI next to it) is tested in store.git.test.ts.
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GitStore, MemoryStore, StaleRefError, StoreError, type CoordinationStore, type StoredCommit } from '../src/store/index.js';
import { EMPTY_TREE } from '../src/store/objects.js';
import { heartbeat, topologyRecord } from './helpers/records.js';
import { tempDir } from './helpers/tmp.js';

const REF = 'refs/orchestrator/sessions/api-1';

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, StoreError);
    return (error as StoreError).code;
  }
  throw new Error('expected a StoreError');
}

async function stale(promise: Promise<unknown>): Promise<StaleRefError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, StaleRefError);
    assert.is((error as StaleRefError).code, 'STALE_REF');
    return error as StaleRefError;
  }
  throw new Error('expected a StaleRefError');
}

async function logged(store: CoordinationStore, include: string[], options: Parameters<CoordinationStore['log']>[1] = {}): Promise<string[]> {
  const out: StoredCommit[] = [];
  const count = await store.log(include, options, (c) => void out.push(c));
  assert.is(count, out.length);
  return out.map((c) => c.sha);
}

function conformance(kind: string, open: () => Promise<CoordinationStore>): void {
  const test = suite(`store (${kind})`);

  test('append then read back: one commit per record, chained in order', async () => {
    const store = await open();
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
    assert.is(await store.readRef('refs/orchestrator/none'), null);
    store.close();
  });

  test('same records, same SHAs: the commit format is git\'s in both stores', async () => {
    const store = await open();
    const record = heartbeat({ at: 1_700_000_000_500, id: 'fixed', clock: 1, currentTask: 'fixed' });
    const [sha] = await store.append(REF, [record]);
    assert.equal(await store.readAuthor(sha!), { name: 'api (shop)', email: 'api-1@orchestrator.invalid', seconds: 1_700_000_000 });
    const [other] = await store.append('refs/orchestrator/other', [heartbeat()], { author: { name: 'Ann <x>', email: 'ann@example.com' } });
    assert.equal(await store.readAuthor(other!), { name: 'Ann x', email: 'ann@example.com', seconds: Math.floor((await store.readCommit(other!)).time / 1000) });
    store.close();
  });

  test('append with expectedTip: a compare-and-swap', async () => {
    const store = await open();
    const [first] = await store.append(REF, [heartbeat()], { expectedTip: null });
    const error = await stale(store.append(REF, [heartbeat()], { expectedTip: null }));
    assert.is(error.expected, null);
    assert.is(error.actual, first);
    const [second] = await store.append(REF, [heartbeat()], { expectedTip: first! });
    assert.is(await store.readRef(REF), second);
    await stale(store.append(REF, [heartbeat()], { expectedTip: first! }));
    assert.is(await store.readRef(REF), second);
    store.close();
  });

  test('compareAndSwap and deleteRef move a ref only from what was expected', async () => {
    const store = await open();
    const [a, b] = await store.append(REF, [heartbeat(), heartbeat()]);
    await stale(store.compareAndSwap(REF, a!, a!));
    await store.compareAndSwap(REF, b!, a!);
    assert.is(await store.readRef(REF), a);
    await store.compareAndSwap('refs/orchestrator/new', null, b!);
    assert.is(await store.readRef('refs/orchestrator/new'), b);
    const error = await stale(store.deleteRef(REF, b!));
    assert.is(error.actual, a);
    await store.deleteRef(REF, a!);
    assert.is(await store.readRef(REF), null);
    assert.is(await code(store.compareAndSwap('refs/heads/main', null, a!)), 'BAD_REF_NAME');
    store.close();
  });

  test('walk: stopAt, limit, notBefore', async () => {
    const store = await open();
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

  test('walk and log follow every parent of a merge, once each', async () => {
    const store = await open();
    const [base] = await store.append('refs/orchestrator/a', [heartbeat({ at: 1_800_000_000_000 })]);
    await store.compareAndSwap('refs/orchestrator/b', null, base!);
    const [a1] = await store.append('refs/orchestrator/a', [heartbeat({ at: 1_800_000_010_000 })]);
    const [b1] = await store.append('refs/orchestrator/b', [heartbeat({ at: 1_800_000_020_000 })]);
    const merge = await store.recommit(EMPTY_TREE, [a1!, b1!], 'merge remote copy\n', { name: 'x', email: 'x@example.com', seconds: 1_800_000_030 });
    const walked = await store.walk(merge);
    assert.equal(walked.map((c) => c.sha), [merge, b1, a1, base]);
    assert.is(walked[0]!.record, undefined);
    assert.match(walked[0]!.problem ?? '', /not-a-record/);
    assert.equal(await logged(store, [merge]), [merge, b1, a1, base]);
    const oldest = await logged(store, [merge], { oldestFirst: true });
    assert.is(oldest[0], base);
    assert.is(oldest[3], merge);
    assert.equal(await logged(store, [merge], { exclude: [a1!] }), [merge, b1]);
    assert.equal(await logged(store, [merge], { notBefore: 1_800_000_015_000 }), [merge, b1]);
    assert.equal(await logged(store, []), []);
    store.close();
  });

  test('log: every tip at once, newest first or parents first, streamed commits carry no tree', async () => {
    const store = await open();
    const a = await store.append('refs/orchestrator/sessions/a', [1, 3, 5].map((m) => heartbeat({ at: 1_800_000_000_000 + m * 60_000 })));
    const b = await store.append('refs/orchestrator/sessions/b', [2, 4].map((m) => heartbeat({ at: 1_800_000_000_000 + m * 60_000 })));
    const tips = [a[2]!, b[1]!];
    assert.equal(await logged(store, tips), [a[2], b[1], a[1], b[0], a[0]]);
    assert.equal(await logged(store, tips, { oldestFirst: true }), [a[0], b[0], a[1], b[1], a[2]]);
    assert.equal(await logged(store, tips, { exclude: [a[1]!, b[0]!] }), [a[2], b[1]]);
    // A reader that needs only the newest few stops the stream.
    const firstTwo: string[] = [];
    assert.is(await store.log(tips, {}, (c) => (firstTwo.push(c.sha), firstTwo.length < 2)), 2);
    assert.equal(firstTwo, [a[2], b[1]]);
    const seen: StoredCommit[] = [];
    await store.log([a[0]!], {}, (c) => void seen.push(c));
    assert.is(seen[0]!.tree, '');
    assert.is(seen[0]!.record?.id, (await store.readCommit(a[0]!)).record?.id);
    store.close();
  });

  test('newer record versions and foreign commits give a problem, never a throw', async () => {
    const store = await open();
    const future = await store.recommit(EMPTY_TREE, [], 'x\n\nOrchestrator-Record: {"v":99}\n', { name: 'x', email: 'x@x', seconds: 1 });
    const [commit] = await store.walk(future);
    assert.match(commit!.problem ?? '', /newer-version/);
    store.close();
  });

  test('listRefs: prefixes (also ending inside a name), sorted stable content, archive left out', async () => {
    const store = await open();
    const [s1] = await store.append('refs/orchestrator/sessions/s1', [heartbeat()]);
    const [c] = await store.append('refs/orchestrator/changes/m/shop/api', [heartbeat()]);
    const [s2] = await store.append('refs/orchestrator/sessions/s2', [heartbeat()]);
    await store.writeArchiveRef('refs/orchestrator-archive/sessions/old/1', s2!);
    const refs = await store.listRefs();
    assert.equal(Object.fromEntries(refs), {
      'refs/orchestrator/changes/m/shop/api': c,
      'refs/orchestrator/sessions/s1': s1,
      'refs/orchestrator/sessions/s2': s2,
    });
    assert.equal([...(await store.listRefs(['refs/orchestrator/sess'])).keys()].sort(), ['refs/orchestrator/sessions/s1', 'refs/orchestrator/sessions/s2']);
    assert.equal([...(await store.listRefs(['refs/nothing/'])).keys()], []);
    store.close();
  });

  test('topology: commit, read, CAS failure with the actual tip, extra parents', async () => {
    const store = await open();
    assert.is(await store.readTopology(), null);
    const one = await store.commitTopology('groups: []\n', topologyRecord('init'), null);
    assert.equal(await store.readTopology(), { sha: one, text: 'groups: []\n' });
    const entry = await store.readTreeEntry(one, 'topology.yml');
    assert.is(entry?.type, 'blob');
    assert.is((await store.readBlob(entry!.sha)).toString('utf8'), 'groups: []\n');
    assert.is(await store.readTreeEntry(one, 'nope.yml'), null);
    assert.is(await store.readTreeEntry(one, 'topology.yml/deeper'), null);
    const error = await stale(store.commitTopology('groups: [x]\n', topologyRecord('stale edit'), null));
    assert.is(error.actual, one);
    const [other] = await store.append('refs/orchestrator/remote-topology', [heartbeat()]);
    const two = await store.commitTopology('groups: [a]\n', topologyRecord('add a'), one, [other!]);
    assert.equal((await store.readCommit(two)).parents, [one, other]);
    assert.is((await store.readTopology())?.text, 'groups: [a]\n');
    assert.is((await store.readCommit(two)).record?.kind, 'topology');
    store.close();
  });

  test('maxClock: highest clock among all tips', async () => {
    const store = await open();
    assert.is(await store.maxClock(), 0);
    await store.append('refs/orchestrator/a', [heartbeat({ clock: 5 }), heartbeat({ clock: 7 })]);
    await store.append('refs/orchestrator/b', [heartbeat({ clock: 42 }), heartbeat({ clock: 3 })]);
    assert.is(await store.maxClock(), 7);
    await store.append('refs/orchestrator/b', [heartbeat({ clock: 50 })]);
    assert.is(await store.maxClock(), 50);
    store.close();
  });

  test('archive: write once, list, delete; recommit copies a record exactly', async () => {
    const store = await open();
    const shas = await store.append(REF, [heartbeat(), heartbeat()]);
    const archived = 'refs/orchestrator-archive/sessions/api-1/1800000000000';
    await store.writeArchiveRef(archived, shas[1]!);
    assert.equal(Object.fromEntries(await store.listArchive()), { [archived]: shas[1] });
    const error = await stale(store.writeArchiveRef(archived, shas[0]!));
    assert.is(error.actual, shas[1]);
    assert.is(await code(store.writeArchiveRef(REF, shas[0]!)), 'BAD_REF_NAME');
    const first = await store.readCommit(shas[0]!);
    const copy = await store.recommit(first.tree, [], first.message, await store.readAuthor(first.sha));
    assert.is(copy, first.sha, 'same tree, parents, message and author: same commit');
    await stale(store.deleteRef(archived, shas[0]!));
    await store.deleteRef(archived, shas[1]!);
    assert.is((await store.listArchive()).size, 0);
    store.close();
  });

  test('bad ref names are rejected', async () => {
    const store = await open();
    for (const ref of [
      'refs/heads/main', 'refs/orchestrator/', 'refs/orchestrator/a..b', 'refs/orchestrator/.hidden', 'refs/orchestrator/a/.b',
      'refs/orchestrator/x.lock', 'refs/orchestrator/x.lock/y', 'refs/orchestrator/a b', 'refs/orchestrator/a~1', 'refs/orchestrator/a^',
      'refs/orchestrator/a:b', 'refs/orchestrator/a?', 'refs/orchestrator/a*', 'refs/orchestrator/a[', 'refs/orchestrator/a\\b',
      'refs/orchestrator/a\nb', 'refs/orchestrator/a//b', 'refs/orchestrator/a/', 'refs/orchestrator/a.', 'refs/orchestrator/a@{1}',
    ]) {
      assert.is(await code(store.append(ref, [heartbeat()])), 'BAD_REF_NAME', ref);
    }
    store.close();
  });

  test('missing objects give MISSING_OBJECT, wrong types BAD_OBJECT; a closed store refuses reads', async () => {
    const store = await open();
    assert.is(await code(store.readCommit('0'.repeat(40))), 'MISSING_OBJECT');
    assert.is(await code(store.readCommit('not-a-sha')), 'BAD_OBJECT');
    assert.is(await code(store.readBlob(EMPTY_TREE)), 'BAD_OBJECT');
    store.close();
    assert.is(await code(store.readCommit(EMPTY_TREE)), 'CLOSED');
  });

  test('remotes: add, list, fetch into remote-tracking refs, push with leases, remove', async () => {
    const here = await open();
    const there = await open();
    assert.equal(await here.listRemotes(), []);
    await here.addRemote('origin', there.location);
    assert.equal(await here.listRemotes(), [{ name: 'origin', url: there.location }]);
    assert.is(await code(here.addRemote('origin', there.location)), 'GIT_FAILED');
    assert.is(await code(here.fetch('nowhere')), 'GIT_FAILED');

    const theirs = await there.append('refs/orchestrator/sessions/far', [heartbeat(), heartbeat()]);
    const gone = await there.append('refs/orchestrator/sessions/gone', [heartbeat()]);
    assert.is((await here.fetch('origin')).updated, 2);
    assert.equal(Object.fromEntries(await here.listRefs(['refs/remotes/'])), {
      'refs/remotes/origin/orchestrator/sessions/far': theirs[1],
      'refs/remotes/origin/orchestrator/sessions/gone': gone[0],
    });
    assert.is((await here.walk(theirs[1]!)).length, 2, 'the objects came along');
    assert.is((await here.fetch('origin')).updated, 0);
    await there.deleteRef('refs/orchestrator/sessions/gone', gone[0]!);
    assert.is((await here.fetch('origin')).updated, 1, 'pruned');
    assert.is(await here.readRef('refs/remotes/origin/orchestrator/sessions/gone'), null);

    // Fast-forward pushes, by name and by pattern.
    const ours = await here.append('refs/orchestrator/sessions/near', [heartbeat()]);
    const mine = await here.append('refs/orchestrator/changes/m/shop/api', [heartbeat()]);
    const pushed = await here.push('origin', ['refs/orchestrator/changes/*:refs/orchestrator/changes/*'], [{ src: 'refs/orchestrator/sessions/near', dst: 'refs/orchestrator/sessions/near' }]);
    assert.equal(pushed.map((p) => [p.dst, p.status]).sort(), [['refs/orchestrator/changes/m/shop/api', 'ok'], ['refs/orchestrator/sessions/near', 'ok']]);
    assert.is(await there.readRef('refs/orchestrator/sessions/near'), ours[0]);
    assert.is(await there.readRef('refs/orchestrator/changes/m/shop/api'), mine[0]);
    assert.is(await here.readRef('refs/remotes/origin/orchestrator/sessions/near'), ours[0], 'the tracking copy follows a push');
    assert.is((await there.readCommit(ours[0]!)).record?.kind, 'session.heartbeat');
    const again = await here.push('origin', [], [{ src: 'refs/orchestrator/sessions/near', dst: 'refs/orchestrator/sessions/near' }]);
    assert.equal(again.map((p) => p.status), ['up-to-date']);

    // Not a fast-forward: rejected unless forced with the right lease.
    const [restart] = await here.append('refs/orchestrator/sessions/restart', [heartbeat()]);
    const [far] = await there.append('refs/orchestrator/sessions/restart', [heartbeat()]);
    await here.fetch('origin');
    const refused = await here.push('origin', [], [{ src: 'refs/orchestrator/sessions/restart', dst: 'refs/orchestrator/sessions/restart' }]);
    assert.equal(refused.map((p) => p.status), ['rejected']);
    const forced = await here.push('origin', [], [{ src: 'refs/orchestrator/sessions/restart', dst: 'refs/orchestrator/sessions/restart', force: { lease: far! } }]);
    assert.equal(forced.map((p) => p.status), ['ok']);
    assert.is(await there.readRef('refs/orchestrator/sessions/restart'), restart);
    const deleted = await here.push('origin', [], [{ src: null, dst: 'refs/orchestrator/sessions/near', force: { lease: ours[0]! } }]);
    assert.equal(deleted.map((p) => p.status), ['ok']);
    assert.is(await there.readRef('refs/orchestrator/sessions/near'), null);

    await here.removeRemote('origin');
    assert.equal(await here.listRemotes(), []);
    assert.equal([...(await here.listRefs(['refs/remotes/'])).keys()], []);
    assert.is(await code(here.removeRemote('origin')), 'GIT_FAILED');
    here.close();
    there.close();
  });

  test('isAncestor and mergeBase', async () => {
    const store = await open();
    const [base, left] = await store.append('refs/orchestrator/a', [heartbeat({ at: 1_800_000_000_000 }), heartbeat({ at: 1_800_000_001_000 })]);
    await store.compareAndSwap('refs/orchestrator/b', null, base!);
    const [right] = await store.append('refs/orchestrator/b', [heartbeat({ at: 1_800_000_002_000 })]);
    const [alone] = await store.append('refs/orchestrator/c', [heartbeat()]);
    assert.ok(await store.isAncestor(base!, left!));
    assert.ok(await store.isAncestor(left!, left!));
    assert.not.ok(await store.isAncestor(left!, base!));
    assert.not.ok(await store.isAncestor(left!, right!));
    assert.is(await store.mergeBase(left!, right!), base);
    assert.is(await store.mergeBase(left!, base!), base);
    assert.is(await store.mergeBase(left!, alone!), null);
    store.close();
  });

  test.run();
}

conformance('git', () => GitStore.open(join(tempDir(), 'coordination.git'), { maintenance: false }));
conformance('memory', async () => new MemoryStore());
