// The fold's checkpoint: fold N records, snapshot, restore (through JSON), fold M more ==
// fold N+M directly; and compaction to the retention window.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CoordinationState } from '../src/core/state/fold.js';
import type { OrchestratorRecord } from '../src/core/records.js';
import {
  changeEvent, delivered, ended, fold, heartbeat, registered, shuffled, syncAcknowledged, syncRequested, worktreeRecord,
} from './helpers/records.js';

const ROLES = ['auth', 'gateway', 'frontend'];

/** A history of `count` records over two groups: sessions that register, move, beat, end; events, deliveries, sync points. */
function history(count: number, seed: number): OrchestratorRecord[] {
  let x = seed;
  const rand = (n: number) => ((x = (x * 1103515245 + 12345) % 2 ** 31), x % n);
  const out: OrchestratorRecord[] = [];
  const events: string[] = [];
  const syncs: string[] = [];
  for (let clock = 1; out.length < count; clock++) {
    const s = rand(8);
    const session = `s${s}`;
    const role = ROLES[s % 3]!;
    const group = rand(10) === 0 ? 'other' : 'main';
    const base = { id: `r${clock}`, group, role, session, clock, at: clock * 1000 - rand(3) * 1000 };
    switch (rand(9)) {
      case 0: out.push(registered({ ...base, repoPath: `/r/${role}`, host: 'h', pid: rand(100), ...(rand(2) ? { currentTask: `t${clock}` } : {}) })); break;
      case 1: out.push(heartbeat({ ...base, ...(rand(2) ? { currentTask: `task ${clock}` } : {}), ...(rand(4) === 0 ? { host: 'h2', pid: clock } : {}) })); break;
      case 2: out.push(ended({ ...base, reason: 'done' })); break;
      case 3: case 4: {
        const id = `ev${clock}`;
        events.push(id);
        out.push(changeEvent(ROLES.filter((r) => r !== role), { ...base, id, summary: id, files: Array.from({ length: rand(30) }, (_, i) => `f${i}.ts`) }));
        break;
      }
      case 5: if (events.length) out.push(delivered([events[rand(events.length)]!, `unknown${rand(5)}`], base)); break;
      case 6: {
        const id = `sp${clock}`;
        syncs.push(id);
        out.push(syncRequested({ ...base, syncPointId: id, participants: ROLES.filter((r) => r !== role), expiresAt: clock * 1000 + 50_000 }));
        break;
      }
      case 7: if (syncs.length) out.push(syncAcknowledged({ ...base, syncPointId: syncs[rand(syncs.length)]! })); break;
      case 8:
        if (rand(2)) out.push(worktreeRecord([`w${clock}`], base));
        else out.push({ v: 1, kind: 'announced', ...base, eventIds: events.slice(-2), syncPointIds: syncs.slice(-1) });
        break;
    }
  }
  return out;
}

/** A comparable form of the state: its snapshot with every list in a canonical order, and the sessions as derived. */
function view(state: CoordinationState): unknown {
  const snap = JSON.parse(JSON.stringify(state.snapshot()));
  snap.registrations.sort((a: [string], b: [string]) => a[0].localeCompare(b[0]));
  snap.groups.sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name));
  for (const g of snap.groups) {
    g.sessions.sort((a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id));
    g.events.sort((a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id));
    g.firstByRole = g.firstByRole.map(([r, ids]: [string, [string, number][]]) => [r, ids.sort((a, b) => a[0].localeCompare(b[0]))]).sort();
    g.syncAcks.sort((a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id));
    g.syncRequests.sort((a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id));
    g.announced = g.announced.map(([s, ids]: [string, string[]]) => [s, ids.sort()]).sort();
  }
  const derived = state.groupNames().sort().map((name) => {
    const group = state.group(name);
    return {
      name,
      sessions: [...group.sessions].sort(([a], [b]) => a.localeCompare(b)),
      byRole: [...group.eventsByRole].sort(([a], [b]) => a.localeCompare(b)).map(([r, list]) => [r, list.map((e) => e.id)]),
      fromRole: [...group.eventsFromRole].sort(([a], [b]) => a.localeCompare(b)).map(([r, list]) => [r, list.map((e) => e.id)]),
    };
  });
  return JSON.parse(JSON.stringify({ snap, derived }));
}

for (const seed of [1, 7, 42]) {
  test(`checkpoint: fold N, snapshot, restore, fold M == fold N+M (seed ${seed})`, () => {
    const records = shuffled(history(600, seed), seed);
    for (const n of [0, 1, 250, 599]) {
      const first = fold(records.slice(0, n));
      const restored = CoordinationState.restore(JSON.parse(JSON.stringify(first.snapshot())));
      for (const r of records.slice(n)) restored.apply(r);
      assert.equal(view(restored), view(fold(records)), `split at ${n}`);
      // Re-applying what the checkpoint already holds changes nothing.
      for (const r of records.slice(0, n)) restored.apply(r);
      assert.equal(view(restored), view(fold(records)), `split at ${n}, replayed`);
    }
  });
}

test('checkpoint: compaction drops what is older than the window, keeps what is in it', () => {
  const records = history(800, 3);
  const state = fold(records);
  const cut = 500 * 1000;
  const snap = state.snapshot(cut);
  for (const g of snap.groups) {
    assert.ok(g.events.every((e) => e.at >= cut));
    const kept = g.events.length;
    assert.ok(kept > 0 && kept === [...state.group(g.name).eventsById.values()].filter((e) => e.at >= cut).length);
    for (const s of g.sessions) assert.ok((s.lastSeenAt ?? -Infinity) >= cut || snap.registrations.some(([id, list]) => id === s.id && list.some((r) => r.at >= cut)));
  }
  // A compacted state still answers for the sessions heard from in the window.
  const restored = CoordinationState.restore(JSON.parse(JSON.stringify(snap)));
  for (const name of state.groupNames()) {
    for (const [id, facts] of state.group(name).sessions) {
      if (facts.lastSeenAt >= cut) assert.equal(restored.group(name).sessions.get(id), facts, id);
    }
  }
  assert.ok(JSON.stringify(snap).length < JSON.stringify(state.snapshot()).length);
});

test.run();
