// Pruning: old session refs archived, an old changes ref restarted, the remote following on sync.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pruneStore as prune } from '../src/app/operations/prune.js';
import { syncRemotes } from '../src/app/share.js';
import { TopologyService } from '../src/app/topology-service.js';
import { resolveHome } from '../src/config/home.js';
import { changesRef, sessionRef } from '../src/store/index.js';
import { GitStore } from '../src/store/index.js';
import { gitSync } from './helpers/gitcli.js';
import { fsckClean, makeBare } from './helpers/machines.js';
import { heartbeat } from './helpers/records.js';
import { tempDir } from './helpers/tmp.js';
import type { ChangeEvent } from '../src/core/records.js';

const DAY = 86_400_000;
const now = Date.now();
const change = (n: number, at: number, worktree: string): ChangeEvent => ({
  v: 1, kind: 'event', id: `commit-${n}`, group: 'shop', role: 'api', at, clock: n, types: ['any_change'], summary: `commit ${n}`,
  priority: 'normal', targets: [], source: 'commit', ingest: { worktree, entry: `entry ${n}` },
});

test('prune archives old sessions, restarts an old changes ref, and sync makes the remote follow', async () => {
  const home = join(tempDir('orchestrator-prune-'), 'home');
  mkdirSync(home, { recursive: true });
  const paths = resolveHome({ CLAUDE_ORCHESTRATOR_HOME: home });
  const store = await GitStore.open(paths.repoGitDir, { maintenance: false });
  const deps = { paths, store, topology: new TopologyService({ paths, store, now: Date.now, env: { CLAUDE_ORCHESTRATOR_HOME: home } }) };
  const bare = makeBare();
  await store.addRemote('origin', bare);

  await store.append(sessionRef('old-1'), [heartbeat({ session: 'old-1', at: now - 40 * DAY })]);
  await store.append(sessionRef('new-1'), [heartbeat({ session: 'new-1', at: now - 1 * DAY })]);
  const ref = changesRef('0123456789abcdef', 'shop', 'api');
  await store.append(ref, [
    change(1, now - 50 * DAY, '/w1'), change(2, now - 45 * DAY, '/w2'), change(3, now - 41 * DAY, '/w1'),
    change(4, now - 2 * DAY, '/w1'), change(5, now - 1 * DAY, '/w1'),
  ]);
  assert.ok((await syncRemotes(deps)).remotes[0]!.ok);

  const dry = await prune(store, { olderThanMs: 30 * DAY, dryRun: true, now });
  assert.equal(dry.archived.map((a) => a.ref), [sessionRef('old-1')]);
  assert.ok(await store.readRef(sessionRef('old-1')), 'dry run changes nothing');

  const report = await prune(store, { olderThanMs: 30 * DAY, now });
  assert.equal(report.archived.map((a) => a.ref), [sessionRef('old-1')]);
  assert.equal(report.restarted.map((r) => [r.ref, r.kept, r.dropped]), [[ref, 4, 1]]);
  assert.is(await store.readRef(sessionRef('old-1')), null);
  assert.ok(await store.readRef(sessionRef('new-1')));
  const subjects = gitSync(store.location, ['log', '--format=%s', ref]).trim().split('\n');
  assert.equal(subjects.map((s) => s.replace(/.*: /, '')), ['commit 5', 'commit 4', 'commit 3', 'commit 2']);
  // The archive stays readable with plain git log.
  assert.ok(gitSync(store.location, ['log', '--oneline', report.restarted[0]!.archive]).includes('commit 1'));

  const synced = (await syncRemotes(deps)).remotes[0]!;
  assert.ok(synced.ok, synced.error ?? '');
  assert.is(synced.deleted, 1);
  const remoteRefs = gitSync(bare, ['for-each-ref', '--format=%(refname) %(objectname)']);
  assert.not.ok(remoteRefs.includes('sessions/old-1'), remoteRefs);
  assert.ok(remoteRefs.includes(`${ref} ${await store.readRef(ref)}`), 'restarted ref force-pushed');
  assert.ok((await syncRemotes(deps)).remotes[0]!.ok, 'a second sync has nothing left to do');
  fsckClean(store.location);
  fsckClean(bare);

  // Archive entries expire after --keep-archive.
  const later = await prune(store, { olderThanMs: 30 * DAY, keepArchiveMs: 1, now: now + 10 });
  assert.is(later.expired.length, 2);
  store.close();
});

test.run();
