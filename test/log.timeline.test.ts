// `log`: the timeline, newest first, with filters; `status`: sessions and pending sync points.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { GitStore, MemoryStore } from '../src/store/index.js';
import { remoteNamespace, sessionRef } from '../src/store/index.js';
import { readTimeline } from '../src/app/operations/log.js';
import { parseSince } from '../src/core/durations.js';
import { cli, cliJson } from './helpers/cli.js';
import { gitSync } from './helpers/gitcli.js';
import { makePlatform } from './helpers/mcp.js';
import type { OrchestratorRecord } from '../src/core/records.js';

const now = Date.now();
const event = (n: number, role: string, to: string, at: number): OrchestratorRecord => ({
  v: 1, kind: 'event', id: `ev-${n}`, group: n % 2 ? 'shop' : 'blog', role, session: `${role}-s`, at, clock: n,
  types: ['schema_change'], summary: `change ${n}`, priority: 'high', targets: [{ role: to, via: to === 'web' ? ['api'] : [], priority: 'high' }], source: 'tool',
});

test('timeline: newest first by Lamport clock, filtered, limited', async () => {
  const platform = makePlatform();
  const gitDir = join(platform.home, 'coordination.git');
  const store = await GitStore.open(gitDir, { maintenance: false });
  // Wall clocks disagree with the Lamport clocks on purpose: the clock orders.
  await store.append(sessionRef('api-s'), [event(1, 'api', 'web', now - 3000), event(3, 'api', 'db', now - 5000)]);
  await store.append(sessionRef('db-s'), [event(2, 'db', 'api', now - 1000), event(4, 'db', 'web', now - 4000)]);
  const all = await readTimeline(store, {});
  assert.equal(all.map((e) => e.id), ['ev-4', 'ev-3', 'ev-2', 'ev-1']);
  assert.equal((await readTimeline(store, { limit: 2 })).map((e) => e.id), ['ev-4', 'ev-3']);
  assert.equal((await readTimeline(store, { group: 'shop' })).map((e) => e.id), ['ev-3', 'ev-1']);
  assert.equal((await readTimeline(store, { role: 'web' })).map((e) => e.id), ['ev-4', 'ev-1']);
  assert.equal(all.find((e) => e.id === 'ev-1')!.to, ['web (via api)']);
  store.close();

  const text = await cli(platform.env, ['log', '--role', 'web', '-n', '1']);
  assert.is(text.code, 0, text.stderr);
  assert.ok(/db \(db-s\)\s+event schema_change \[high\] -> web \(via api\)\s+change 4/.test(text.stdout), text.stdout);
  const json = await cliJson<{ entries: Array<{ id: string }> }>(platform.env, ['log', '--since', new Date(now - 2000).toISOString()]);
  assert.equal(json.entries.map((e) => e.id), ['ev-2']);
  // Plain git log reads too: subjects, then trailers.
  const plain = gitSync(gitDir, ['log', '--format=%s%n%(trailers:key=Notify,valueonly)', sessionRef('api-s')]);
  assert.ok(plain.includes('api: schema_change [high] -> web: change 1') && plain.includes('web (via api)'), plain);
});

test('timeline: log -n N reads a bounded number of commits, not the whole history', async () => {
  const store = new MemoryStore();
  const records: OrchestratorRecord[] = [];
  for (let n = 1; n <= 2000; n++) records.push(event(n, 'api', 'web', now - (2000 - n) * 1000));
  await store.append(sessionRef('api-s'), records);
  await store.append(sessionRef('db-s'), [event(2001, 'db', 'web', now - 3_000)]);
  let reads = 0;
  const counted = new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (key === 'readCommit') return (sha: string) => (reads++, target.readCommit(sha));
      if (key === 'log') {
        return (include: string[], options: object, onCommit: (c: unknown) => boolean | void) =>
          target.log(include, options, (c) => (reads++, onCommit(c)));
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const entries = await readTimeline(counted, { limit: 20 });
  assert.equal(entries.map((e) => e.id), Array.from({ length: 20 }, (_, i) => `ev-${2001 - i}`));
  // 20 entries plus this machine's one-minute margin (60 one-second steps) past the 20th, never 2,000.
  assert.ok(reads > 0 && reads <= 85, `read ${reads} commits`);
});

/** 240 records in two minutes on three session refs (a remote's copies if `remote` is given), their clocks out of step with their times. */
async function outOfStep(store: GitStore, remote?: string): Promise<OrchestratorRecord[]> {
  const all: OrchestratorRecord[] = [];
  for (let n = 1; n <= 240; n++) {
    const clock = ((n * 97) % 240) + 1;
    all.push({ ...event(clock, ['api', 'db', 'ops'][n % 3]!, 'web', now - (240 - n) * 500), id: `ev-c${clock}` });
  }
  for (const role of ['api', 'db', 'ops']) {
    const ref = sessionRef(`${role}-s`);
    await store.append(ref, all.filter((r) => r.role === role));
    if (remote === undefined) continue;
    // As `git fetch` leaves another machine's ref: under the remote's namespace only.
    gitSync(store.location, ['update-ref', `${remoteNamespace(remote)}sessions/${role}-s`, ref]);
    gitSync(store.location, ['update-ref', '-d', ref]);
  }
  return all;
}

test('timeline: within the clock-skew margin of remote copies, the latest by Lamport clock, whatever their wall times', async () => {
  const platform = makePlatform();
  const store = await GitStore.open(join(platform.home, 'coordination.git'), { maintenance: false });
  const all = await outOfStep(store, 'peer');
  const expected = [...all].sort((a, b) => b.clock - a.clock).slice(0, 10).map((r) => r.id);
  assert.equal((await readTimeline(store, { limit: 10 })).map((e) => e.id), expected);
  store.close();
});

test('timeline: on this machine\'s own refs, the latest by Lamport clock among the newest plus a minute', async () => {
  const platform = makePlatform();
  const store = await GitStore.open(join(platform.home, 'coordination.git'), { maintenance: false });
  // Clocks out of step over two minutes cannot come from one machine's writers (each reads the
  // newest clock first): the page is the top by clock of the last minute past the 10th.
  const all = await outOfStep(store);
  const page = (await readTimeline(store, { limit: 10 })).map((e) => e.id);
  // git dates are whole seconds: the walk stops below the 10th newest date minus 60 s.
  const date = (r: OrchestratorRecord) => Math.floor(r.at / 1000) * 1000;
  const cutoff = all.map(date).sort((a, b) => b - a)[9]! - 60_000;
  const expected = all.filter((r) => date(r) >= cutoff).sort((a, b) => b.clock - a.clock).slice(0, 10).map((r) => r.id);
  assert.equal(page, expected);
  store.close();
});

test('timeline: the topology ref takes other machines\' commits, so it keeps the 5-minute margin', async () => {
  const platform = makePlatform();
  const store = await GitStore.open(join(platform.home, 'coordination.git'), { maintenance: false });
  await store.append(sessionRef('api-s'), Array.from({ length: 5 }, (_, i) => event(i + 1, 'api', 'web', Date.now() - 5_000 + i * 1000)));
  store.close();
  // Written last (the highest Lamport clock) by a clock two minutes behind, as a topology merged
  // from another machine would be dated.
  const created = await cli({ ...platform.env, CLAUDE_ORCHESTRATOR_CLOCK_OFFSET_MS: String(-120_000) }, ['group', 'create', 'written-last']);
  assert.is(created.code, 0, created.stderr);
  const json = await cliJson<{ entries: Array<{ what: string; summary: string }> }>(platform.env, ['log', '-n', '1']);
  assert.match(JSON.stringify(json.entries[0]), /written-last/);
});

test('timeline: a ref whose tip is missing costs only itself', async () => {
  const platform = makePlatform();
  const store = await GitStore.open(join(platform.home, 'coordination.git'), { maintenance: false });
  await store.append(sessionRef('api-s'), [event(1, 'api', 'web', now - 2000), event(3, 'api', 'web', now - 1000)]);
  await store.append(sessionRef('db-s'), [event(2, 'db', 'web', now - 1500)]);
  // A ref pointing at an object the repo does not have: `git log` over every tip fails on it.
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(store.location, sessionRef('gone-s')), `${'1'.repeat(40)}\n`);
  assert.equal((await readTimeline(store, { limit: 2 })).map((e) => e.id), ['ev-3', 'ev-2']);
  assert.equal((await readTimeline(store, {})).map((e) => e.id), ['ev-3', 'ev-2', 'ev-1']);
  store.close();
});

test('parseSince reads durations and dates', () => {
  assert.is(parseSince('2h', 10_000_000), 10_000_000 - 7_200_000);
  assert.is(parseSince('2024-05-01T00:00:00Z', 0), Date.parse('2024-05-01T00:00:00Z'));
  assert.is(parseSince('soon', 0), null);
});

test.run();
