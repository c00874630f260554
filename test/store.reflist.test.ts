// Ref listing answered from the last listing when no ref folder changed, and never stale.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { GitStore, sessionRef } from '../src/store/index.js';
import { registered } from './helpers/records.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rec = (s: string, clock: number) => registered({ group: 'g', role: 'r', session: s, clock, at: Date.now(), id: `${s}-${clock}`, repoPath: '/x', host: 'h', pid: 1 });

/** A coordination repo in `dir` opened twice: a store that writes and another that lists. */
async function writerAndReader(dir: string) {
  const gitDir = join(dir, 'c.git');
  const store = await GitStore.open(gitDir, { maintenance: false });
  return { gitDir, store, reader: await GitStore.open(gitDir, { maintenance: false }) };
}

test('listRefs sees every change: our appends, git update-ref, pack-refs, deletes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-reflist-'));
  try {
    const { gitDir, store, reader } = await writerAndReader(dir);
    const [a1] = await store.append(sessionRef('a'), [rec('a', 1)]);
    await sleep(80);
    assert.equal([...(await reader.listRefs())], [[sessionRef('a'), a1]]);
    assert.equal([...(await reader.listRefs())], [[sessionRef('a'), a1]]); // from the cache
    const [a2] = await store.append(sessionRef('a'), [rec('a', 2)]);
    assert.is((await reader.listRefs()).get(sessionRef('a')), a2, 'a rewritten loose ref');
    await sleep(80);
    await reader.listRefs();
    const [b1] = await store.append(sessionRef('b'), [rec('b', 3)]);
    assert.is((await reader.listRefs()).get(sessionRef('b')), b1, 'a new ref');
    await sleep(80);
    await reader.listRefs();
    execFileSync('git', ['--git-dir', gitDir, 'pack-refs', '--all']);
    assert.equal((await reader.listRefs()).size, 2, 'after pack-refs');
    await sleep(80);
    await reader.listRefs();
    execFileSync('git', ['--git-dir', gitDir, 'update-ref', sessionRef('c'), a1!]);
    assert.is((await reader.listRefs()).get(sessionRef('c')), a1, 'written by git');
    await sleep(80);
    await reader.listRefs();
    execFileSync('git', ['--git-dir', gitDir, 'update-ref', '-d', sessionRef('b')]);
    assert.is((await reader.listRefs()).has(sessionRef('b')), false, 'deleted by git (packed)');
    store.close();
    reader.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('listRefs: a new folder of refs, a damaged ref file, a folder gone; other folders are not read again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-reflist-'));
  try {
    const gitDir = join(dir, 'c.git');
    const store = await GitStore.open(gitDir, { maintenance: false });
    const [a1] = await store.append(sessionRef('a'), [rec('a', 1)]);
    await sleep(80);
    assert.equal([...(await store.listRefs())], [[sessionRef('a'), a1]]);
    const remote = 'refs/remotes/peer/orchestrator/sessions/b';
    execFileSync('git', ['--git-dir', gitDir, 'update-ref', remote, a1!]);
    assert.equal((await store.listRefs()).get(remote), a1, 'a ref in a folder that did not exist');
    await sleep(80);
    writeFileSync(join(gitDir, sessionRef('bad')), 'garbage\n');
    const refs = await store.listRefs();
    assert.is(refs.has(sessionRef('bad')), false);
    assert.match(store.damagedRefs().get(sessionRef('bad')) ?? '', /no object id/);
    assert.is(refs.get(remote), a1, 'the unchanged folder, from the last listing');
    await sleep(80);
    execFileSync('git', ['--git-dir', gitDir, 'update-ref', '-d', remote]);
    rmSync(join(gitDir, 'refs/remotes/peer'), { recursive: true, force: true });
    assert.is((await store.listRefs()).has(remote), false, 'a folder gone');
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('listRefs: the same listing while nothing moved; changedRefs names what moved, over packed refs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-reflist-'));
  try {
    const { gitDir, store, reader } = await writerAndReader(dir);
    const tips = new Map<string, string>();
    for (let n = 0; n < 50; n++) tips.set(sessionRef(`s${n}`), (await store.append(sessionRef(`s${n}`), [rec(`s${n}`, n + 1)]))[0]!);
    execFileSync('git', ['--git-dir', gitDir, 'pack-refs', '--all']);
    await sleep(80);
    const first = await reader.listRefs();
    assert.equal(new Map(first), tips);
    assert.is(await reader.listRefs(), first, 'nothing moved: the same listing');
    const [moved] = await store.append(sessionRef('s7'), [rec('s7', 100)]);
    const [added] = await store.append(sessionRef('new'), [rec('new', 101)]);
    const second = await reader.listRefs();
    assert.is.not(second, first);
    assert.is(second.get(sessionRef('s7')), moved, 'a loose ref over its packed value');
    assert.is(second.get(sessionRef('new')), added);
    assert.is(second.size, 51);
    assert.equal(reader.changedRefs(first, second), new Set([sessionRef('s7'), sessionRef('new')]), 'only the loose refs that moved');
    await sleep(80);
    await reader.listRefs();
    execFileSync('git', ['--git-dir', gitDir, 'update-ref', '-d', sessionRef('new')]);
    const third = await reader.listRefs();
    assert.is(third.has(sessionRef('new')), false);
    assert.equal(reader.changedRefs(second, third), new Set([sessionRef('new')]), 'a deleted loose ref');
    execFileSync('git', ['--git-dir', gitDir, 'pack-refs', '--all']);
    const fourth = await reader.listRefs();
    assert.is(reader.changedRefs(third, fourth), null, 'packed-refs rewritten: compare everything');
    assert.equal(new Map(fourth), new Map(third));
    store.close();
    reader.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
