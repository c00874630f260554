// A process starts from the checkpoint of the folded state and reads only what is newer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openContext } from '../src/app/open-context.js';
import { checkpointFile } from '../src/app/checkpoint.js';
import { status } from '../src/app/operations/status.js';
import { getUpdates } from '../src/app/operations/get-updates.js';
import { getUpdate } from '../src/app/operations/get-update.js';
import { GitStore, sessionRef } from '../src/store/index.js';
import { makePlatform } from './helpers/mcp.js';
import { changeEvent, heartbeat, registered } from './helpers/records.js';
import type { OrchestratorRecord } from '../src/core/records.js';

const now = Date.now();
const topology = async () => { throw new Error('not needed'); };
const source = () => ({ current: topology, inspect: async () => ({ topology: null, problems: [] }) });

async function open(env: NodeJS.ProcessEnv, options: { lean?: boolean } = {}) {
  return openContext({ env, maintenance: false, ...options }, source as never);
}

test('checkpoint: written after a long read, used by the next process, which reads only what is new', async () => {
  const platform = makePlatform();
  const gitDir = join(platform.home, 'coordination.git');
  const store = await GitStore.open(gitDir, { maintenance: false });
  let clock = 0;
  const base = (session: string, role: string) => ({ group: 'g', role, session, at: now - 60_000 + clock, clock: ++clock, id: `r${clock}` });
  await store.append(sessionRef('a-1'), [registered({ ...base('a-1', 'auth'), repoPath: '/a', host: 'h', pid: 1 })]);
  const beats: OrchestratorRecord[] = [];
  for (let i = 0; i < 1_200; i++) beats.push(heartbeat(base('a-1', 'auth')));
  await store.append(sessionRef('a-1'), beats);
  await store.append(sessionRef('a-1'), [changeEvent(['web'], { ...base('a-1', 'auth'), id: 'ev-old' })]);

  const first = await open(platform.env);
  const file = checkpointFile(platform.home, first.ctx.store.location);
  const stats = await first.ctx.records.refresh();
  assert.ok(stats.commitsRead > 1_000);
  first.close();
  assert.ok(existsSync(file), 'the checkpoint is written after a long read');

  await store.append(sessionRef('w-1'), [registered({ ...base('w-1', 'web'), repoPath: '/w', host: 'h', pid: 2 })]);
  await store.append(sessionRef('a-1'), [changeEvent(['web'], { ...base('a-1', 'auth'), id: 'ev-new' })]);
  const second = await open(platform.env);
  const again = await second.ctx.records.refresh();
  assert.is(again.commitsRead, 2, 'only the two new commits are read');
  const group = second.ctx.state.group('g');
  assert.equal([...group.eventsById.keys()].sort(), ['ev-new', 'ev-old']);
  assert.equal([...group.sessions.keys()].sort(), ['a-1', 'w-1']);
  const report = await status(second.ctx, {});
  assert.equal(report.groups[0]!.sessions.map((s) => s.sessionId).sort(), ['a-1', 'w-1']);
  second.close();

  // A damaged checkpoint is ignored: everything is read again.
  writeFileSync(file, '{not json');
  const third = await open(platform.env);
  assert.ok((await third.ctx.records.refresh()).commitsRead > 1_000);
  third.close();
  store.close();
});

test('checkpoint: a tip the repo no longer has makes the process read everything', async () => {
  const platform = makePlatform();
  const gitDir = join(platform.home, 'coordination.git');
  const store = await GitStore.open(gitDir, { maintenance: false });
  const records: OrchestratorRecord[] = [registered({ group: 'g', role: 'auth', session: 'a-1', at: now, clock: 1, id: 'reg', repoPath: '/a', host: 'h', pid: 1 })];
  for (let i = 2; i < 1_100; i++) records.push(heartbeat({ group: 'g', role: 'auth', session: 'a-1', at: now, clock: i, id: `hb${i}` }));
  await store.append(sessionRef('a-1'), records);
  const first = await open(platform.env);
  await first.ctx.records.refresh();
  first.close();
  const file = checkpointFile(platform.home, store.location);
  const body = JSON.parse((await import('node:fs')).readFileSync(file, 'utf8'));
  body.tips[sessionRef('a-1')] = '1'.repeat(40);
  body.tips[sessionRef('gone')] = '2'.repeat(40);
  writeFileSync(file, JSON.stringify(body));
  const second = await open(platform.env);
  const stats = await second.ctx.records.refresh();
  assert.ok(stats.commitsRead >= 1_099, `read ${stats.commitsRead}`);
  assert.ok(second.ctx.state.group('g').sessions.has('a-1'));
  second.close();
  store.close();
});

test('checkpoint: a lean start sends a new session what is undelivered; an old session, or an old update asked by id, folds in the rest', async () => {
  const platform = makePlatform();
  const gitDir = join(platform.home, 'coordination.git');
  const store = await GitStore.open(gitDir, { maintenance: false });
  let clock = 0;
  const base = (session: string, role: string) => ({ group: 'g', role, session, at: now - 60_000 + clock, clock: ++clock, id: `r${clock}` });
  const reg = (session: string, role: string) => store.append(sessionRef(session), [registered({ ...base(session, role), repoPath: `/${role}`, host: 'h', pid: 1 })]);
  const event = (id: string) => store.append(sessionRef('a-1'), [changeEvent(['web'], { ...base('a-1', 'auth'), id })]);
  const deliver = (id: string) => store.append(sessionRef('w-two'), [{ v: 1, kind: 'delivered', ...base('w-two', 'web'), eventIds: [id] }]);
  await reg('a-1', 'auth');
  await event('ev-late'); // sent before w-old registered, first had by web after: pending for w-old
  await reg('w-old', 'web');
  await reg('w-two', 'web');
  await deliver('ev-late');
  await event('ev-other'); // had by w-two only: pending for w-old, not for a session registering later
  await deliver('ev-other');
  await event('ev-queued'); // no session of web had it
  for (let i = 0; i < 60; i++) {
    await event(`ev-${i}`);
    await deliver(`ev-${i}`);
  }
  const beats: OrchestratorRecord[] = [];
  for (let i = 0; i < 1_100; i++) beats.push(heartbeat(base('a-1', 'auth')));
  await store.append(sessionRef('a-1'), beats);

  const first = await open(platform.env);
  await first.ctx.records.refresh();
  const whole = (await getUpdates(first.ctx, { sessionId: 'w-old', peek: true, limit: 100 })).updates.map((u) => u.id);
  first.close();
  assert.ok(whole.length > 50, `${whole.length} pending (an answer is bounded in bytes)`);
  assert.ok(whole.includes('ev-late') && whole.includes('ev-other'));
  await reg('w-new', 'web');

  const second = await open(platform.env, { lean: true });
  await second.ctx.records.refresh();
  const group = second.ctx.state.group('g');
  assert.ok(second.ctx.leanUpTo() > 0);
  assert.ok(group.eventsById.has('ev-queued') && group.eventsById.has('ev-59'));
  assert.not.ok(group.eventsById.has('ev-other'), 'delivered to every role and not among the latest: left out');
  const fresh = await getUpdates(second.ctx, { sessionId: 'w-new', peek: true });
  assert.equal(fresh.updates.map((u) => u.id), ['ev-queued']);
  assert.ok(second.ctx.leanUpTo() > 0, 'a new session needs nothing more');
  const old = await getUpdates(second.ctx, { sessionId: 'w-old', peek: true, limit: 100 });
  assert.equal(old.updates.map((u) => u.id), whole);
  assert.ok(group.eventsById.has('ev-other') && group.eventsById.has('ev-late'), 'what the old session could be owed was folded in');
  assert.ok(second.ctx.leanUpTo() > 0, 'and no more than that');
  const byId = await getUpdate(second.ctx, { updateId: 'ev-1', sessionId: 'w-new' });
  assert.is(byId.update.id, 'ev-1');
  second.close();

  // An update asked for by id, with the rest file replaced meanwhile: read from the repo instead.
  const third = await open(platform.env, { lean: true });
  await third.ctx.records.refresh();
  writeFileSync(checkpointFile(platform.home, store.location).replace(/\.json$/, '.events.json'), '{"key":"another","groups":{}}');
  const found = await getUpdate(third.ctx, { updateId: 'ev-other', sessionId: 'w-new' });
  assert.is(found.update.id, 'ev-other');
  assert.equal((await getUpdates(third.ctx, { sessionId: 'w-old', peek: true, limit: 100 })).updates.map((u) => u.id), whole);
  third.close();
  store.close();
});

test.run();
