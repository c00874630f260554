// The fold's checkpoint: fold N records, snapshot, restore (through JSON), fold M more ==
// fold N+M directly; and compaction to the retention window.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CoordinationState, leanSnapshot } from '../src/core/state/fold.js';
import { pendingUpdates } from '../src/core/state/delivery.js';
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
        out.push(changeEvent(ROLES.filter((r) => r !== role), { ...base, id, summary: id, files: Array.from({ length: rand(30) }, (_, i) => `f${i}.ts`), ...(rand(5) === 0 ? { ackRequired: true } : {}) }));
        break;
      }
      case 5:
        if (!events.length) break;
        if (rand(3) === 0) out.push({ v: 1, kind: 'acknowledged', ...base, eventIds: [events[rand(events.length)]!] });
        else out.push(delivered([events[rand(events.length)]!, `unknown${rand(5)}`], base));
        break;
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
    g.acknowledged = g.acknowledged.map(([r, ids]: [string, string[]]) => [r, ids.sort()]).sort();
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

for (const seed of [1, 7, 42]) {
  test(`checkpoint: a lean snapshot sends newcomers what the whole does; M more records, then the rest == fold N+M (seed ${seed})`, () => {
    // Half the events delivered to every role they target, so the lean part leaves them out.
    const base = history(600, seed);
    const deliveries = base.flatMap((e, i) => (e.kind === 'event' && i % 2 === 0
      ? e.targets.map((t) => delivered([e.id], { id: `d-${e.id}-${t.role}`, group: e.group, role: t.role, session: `s-${t.role}`, clock: e.clock + 1, at: e.at + 1 }))
      : []));
    const records = shuffled([...base, ...deliveries], seed);
    for (const n of [0, 250, 599]) {
      const first = fold(records.slice(0, n));
      const full = first.snapshot();
      const split = full.groups.map((g) => ({ name: g.name, ...leanSnapshot(g, 5) }));
      if (n === 599) assert.ok(split.some((s) => s.lean.events.length < s.rest.events.length / 2 + 12), 'the lean part leaves the delivered out');
      const lean = CoordinationState.restore(JSON.parse(JSON.stringify({ ...full, groups: split.map((s) => s.lean) })));
      // A session that registers now is sent the same updates by the lean state as by the whole.
      for (const name of first.groupNames()) {
        for (const role of ROLES) {
          const newcomer = { id: 'newcomer', group: name, role, registeredClock: 10_000, registeredAt: 10_000_000 };
          const ids = (state: CoordinationState) => pendingUpdates(newcomer, state.group(name).eventsByRole, state.group(name).deliveries, { now: 0 }).updates.map((e) => e.id);
          assert.equal(ids(lean), ids(first), `split at ${n}, ${name}/${role}`);
        }
        // query_project_state's latest events per role are there too.
        for (const [role, list] of first.group(name).eventsFromRole) {
          assert.equal(lean.group(name).eventsFromRole.get(role)!.slice(0, 5).map((e) => e.id), list.slice(0, 5).map((e) => e.id));
        }
      }
      for (const r of records.slice(n)) lean.apply(r);
      lean.restoreRest(new Map(JSON.parse(JSON.stringify(split.map((s) => [s.name, s.rest])))));
      assert.equal(view(lean), view(fold(records)), `split at ${n}`);
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
