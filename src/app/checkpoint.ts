// The checkpoint of the folded state: a local cache file under the orchestrator home, keyed by
// the ref tips it was folded from (as Gerrit's NoteDb caches parsed state by tip SHA), so it never
// needs invalidating: a process restores it and reads only the commits that are not reachable
// from those tips. A cache, never a source of truth: unreadable, of another format or another
// repo, and it is ignored (the process reads the retained history as before). Where and why it
// lives there: docs/data-model.md#checkpoints.
//
// Two files, written the rest first and then the state that names it by `key`. The state file is
// lean (core/state/fold.ts `leanSnapshot`): sessions, sync points, and only the events a session
// registering from now on could still be sent plus each role's latest, with their deliveries. The
// rest file holds every event and every role's first deliveries: most of the bytes, loaded only by
// a process that needs them (a session registered before the checkpoint, an old update asked for
// by id, a full start). A server at a million records starts from the state file alone.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../config/files.js';
import { leanSnapshot, SNAPSHOT_FORMAT, type CoordinationState, type FoldSnapshot, type GroupRest } from '../core/state/fold.js';
import type { ChangeEvent } from '../core/records.js';
import type { ReadCursor, RecordIndex } from './record-index.js';

/** 2: a lean state file and a rest file (1: the state and every event). */
const FORMAT = 2;

interface StateFile {
  format: number;
  /** The store's `location`: a checkpoint of another repo is never used. */
  location: string;
  /** Pairs this file with its events file. */
  key: string;
  createdAt: number;
  /** Records older than this (wall-clock ms) were compacted away. */
  notBefore: number;
  tips: Record<string, string>;
  maxClock: number;
  problems: string[];
  /** The fold's snapshot, every group lean (`leanSnapshot`): the rest is in the rest file. */
  state: FoldSnapshot;
}

/**
 * The rest file is JSON lines, so that a reader can take part of it without holding or even
 * parsing all of it: a first line `{"key"}`, then per group its first deliveries
 * (`{"first":role,"group","ids":[[id,clock]…]}`) and acknowledgements (`{"acked":role,"group","ids":[…]}`),
 * then its events in arrival order (`{"maxClock","group","events":[…]}`), each list in pieces of
 * at most 500. The leading field of each line tells a reader whether to parse it at all.
 */
type RestLine =
  | { key: string }
  | { first: string; group: string; ids: Array<[string, number]> }
  | { acked: string; group: string; ids: string[] }
  | { maxClock: number; group: string; events: ChangeEvent[] };

/**
 * What to take from the rest file (`loadRest`); absent: all of it. `since`: what a session of
 * `role` in `group` registered at Lamport clock `clock` could still be sent (updates for the role
 * from that clock on, and older ones the role first had at or after it). `ids`: those updates.
 */
export interface RestWanted {
  since?: { group: string; role: string; clock: number };
  ids?: ReadonlySet<string>;
}

/** What a checkpoint gives a process. */
export interface Restored {
  snapshot: FoldSnapshot;
  cursor: ReadCursor;
  problems: string[];
  /** Pairs the state file with its rest file (`loadRest`). */
  key: string;
  /** False when only the lean state was loaded (`lean: true`); `loadRest` gives the rest. */
  complete: boolean;
}

/** `<home>/cache/fold-<hash of the store's location>.json` (and `.events.json` beside it). */
export function checkpointFile(home: string, location: string): string {
  return join(home, 'cache', `fold-${createHash('sha256').update(location).digest('hex').slice(0, 16)}.json`);
}

function eventsFileOf(file: string): string {
  return file.replace(/\.json$/, '.events.json');
}

/**
 * Reads the checkpoint at `file`, or null when there is none usable. `lean: true` reads the
 * state file alone (see the top of this file); otherwise the rest is merged in. Never throws.
 */
export function loadCheckpoint(file: string, location: string, options: { lean?: boolean } = {}): Restored | null {
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
    if (body.format !== FORMAT || body.location !== location || body.state?.format !== SNAPSHOT_FORMAT) return null;
    if (!options.lean) {
      const rest = loadRest(file, body.key);
      if (!rest) return null;
      for (const group of body.state.groups) Object.assign(group, rest.get(group.name) ?? { events: [], firstByRole: [], acknowledged: [] });
    }
    return {
      snapshot: body.state,
      cursor: { tips: new Map(Object.entries(body.tips)), maxClock: body.maxClock },
      problems: body.problems ?? [],
      key: body.key,
      complete: !options.lean,
    };
  } catch {
    return null;
  }
}

/**
 * The rest file of the checkpoint at `file` whose state file had `key`, per group name, all of it
 * or what `wanted` asks for (read a line at a time: only what is kept is held); null when it is
 * missing, unreadable or another checkpoint's (written since by another process). Never throws.
 */
export function loadRest(file: string, key: string, wanted?: RestWanted): Map<string, GroupRest> | null {
  const out = new Map<string, GroupRest>();
  const groupOf = (name: string) => {
    let rest = out.get(name);
    if (!rest) out.set(name, (rest = { events: [], firstByRole: [], acknowledged: [] }));
    return rest;
  };
  const since = wanted?.since;
  const ids = wanted?.ids;
  const all = !since && !ids;
  // For `since`: the ids its role first had at or after the clock (their updates may be older).
  const lateFirst = new Set<string>();
  /**
   * Whether a line may hold one of `names` (searched as JSON strings, as the line holds them).
   * Past a few names, searching the text for each costs more than parsing it: then say maybe.
   */
  const mayMention = (line: string, names: ReadonlySet<string>) => {
    if (names.size > 8) return true;
    for (const name of names) if (line.includes(JSON.stringify(name))) return true;
    return false;
  };
  const roleLine = (line: string) => (since ? line.startsWith(`{"first":${JSON.stringify(since.role)},`) || line.startsWith(`{"acked":${JSON.stringify(since.role)},`) : false);
  let keyed = false;
  try {
    for (const line of jsonLines(eventsFileOf(file))) {
      if (!keyed) {
        if ((JSON.parse(line) as { key?: string }).key !== key) return null;
        keyed = true;
        continue;
      }
      const events = line.startsWith('{"maxClock":');
      if (!all && !events && !roleLine(line) && !(ids && mayMention(line, ids))) continue;
      if (!all && events) {
        // Updates older than the clock matter only when the role first had them at or after it.
        const maxClock = Number(/^\{"maxClock":(\d+),/.exec(line)?.[1] ?? Infinity);
        if (!(since && maxClock >= since.clock) && !(lateFirst.size && mayMention(line, lateFirst)) && !(ids && mayMention(line, ids))) continue;
      }
      const value = JSON.parse(line) as RestLine;
      if ('key' in value) continue;
      const rest = groupOf(value.group);
      if ('events' in value) {
        for (const e of value.events) if (all || wants(e, value.group, since, ids, lateFirst)) rest.events.push(e);
      } else if ('first' in value) {
        if (all) rest.firstByRole.push([value.first, value.ids]);
        else {
          const late = since && since.group === value.group && since.role === value.first;
          const kept = value.ids.filter(([id, clock]) => (late && clock >= since.clock) || ids?.has(id));
          if (late) for (const [id] of kept) lateFirst.add(id);
          if (kept.length) rest.firstByRole.push([value.first, kept]);
        }
      } else if (all) rest.acknowledged.push([value.acked, value.ids]);
      else {
        const kept = value.ids.filter((id) => (since && since.group === value.group && since.role === value.acked) || ids?.has(id));
        if (kept.length) rest.acknowledged.push([value.acked, kept]);
      }
    }
  } catch {
    return null;
  }
  return keyed ? mergeRoles(out) : null;
}

function wants(e: ChangeEvent, group: string, since: RestWanted['since'], ids: ReadonlySet<string> | undefined, lateFirst: ReadonlySet<string>): boolean {
  if (ids?.has(e.id)) return true;
  if (!since || since.group !== group || !e.targets.some((t) => t.role === since.role)) return false;
  return e.clock >= since.clock || lateFirst.has(e.id);
}

/** One entry per role (the file lists a role's ids in pieces). */
function mergeRoles(out: Map<string, GroupRest>): Map<string, GroupRest> {
  for (const rest of out.values()) {
    rest.firstByRole = byRole(rest.firstByRole);
    rest.acknowledged = byRole(rest.acknowledged);
  }
  return out;
}

/** `[role, items]` pieces joined into one entry per role, in first-seen order. */
function byRole<T>(pieces: Array<[string, T[]]>): Array<[string, T[]]> {
  const joined = new Map<string, T[]>();
  for (const [role, items] of pieces) {
    const list = joined.get(role);
    if (list) for (const item of items) list.push(item);
    else joined.set(role, items);
  }
  return [...joined];
}

/** The lines of a file, read a megabyte at a time. Throws what reading throws. */
function* jsonLines(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    let pending = '';
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      pending += buffer.toString('utf8', 0, read);
      let from = 0;
      for (let at = pending.indexOf('\n'); at >= 0; at = pending.indexOf('\n', from)) {
        if (at > from) yield pending.slice(from, at);
        from = at + 1;
      }
      pending = pending.slice(from);
    }
    if (pending) yield pending;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the state folded so far with the tips it was read from, compacted to the retention
 * window (`notBefore`, wall-clock ms). Call only with a state holding the events (a full
 * restore or a full read). Never throws: a checkpoint that cannot be written costs only time.
 */
export function saveCheckpoint(file: string, location: string, state: CoordinationState, records: RecordIndex, now: number, notBefore: number): void {
  try {
    const cursor = records.cursor();
    const snapshot = state.snapshot(notBefore);
    const key = randomBytes(8).toString('hex');
    const rest: Record<string, GroupRest> = {};
    snapshot.groups = snapshot.groups.map((group) => {
      const split = leanSnapshot(group);
      rest[group.name] = split.rest;
      return split.lean;
    });
    // Written a line at a time: a process writing its checkpoint after a long read keeps no copy
    // of every event as one string.
    writeFileAtomic(eventsFileOf(file), restJson(key, rest));
    const body: StateFile = {
      format: FORMAT,
      location,
      key,
      createdAt: now,
      notBefore,
      tips: Object.fromEntries(cursor.tips),
      maxClock: cursor.maxClock,
      problems: records.problems.slice(0, 20),
      state: snapshot,
    };
    writeFileAtomic(file, JSON.stringify(body));
  } catch {
    // Only time is lost.
  }
}

function* restJson(key: string, groups: Record<string, GroupRest>): Generator<string> {
  yield `${JSON.stringify({ key })}\n`;
  for (const [group, rest] of Object.entries(groups)) {
    const g = JSON.stringify(group);
    for (const [role, ids] of rest.firstByRole) for (const piece of pieces(ids)) yield `{"first":${JSON.stringify(role)},"group":${g},"ids":${piece}}\n`;
    for (const [role, ids] of rest.acknowledged) for (const piece of pieces(ids)) yield `{"acked":${JSON.stringify(role)},"group":${g},"ids":${piece}}\n`;
    for (let i = 0; i < rest.events.length; i += 500) {
      const piece = rest.events.slice(i, i + 500);
      const maxClock = piece.reduce((max, e) => Math.max(max, e.clock), 0);
      yield `{"maxClock":${maxClock},"group":${g},"events":${JSON.stringify(piece)}}\n`;
    }
  }
}

/** A list as JSON arrays of at most 500 items (none for an empty list). */
function* pieces(list: readonly unknown[]): Generator<string> {
  for (let i = 0; i < list.length; i += 500) yield JSON.stringify(list.slice(i, i + 500));
}

/**
 * Starts `state` (empty) and `records` (not refreshed yet) from the newest checkpoint of the
 * store, if there is a usable one; `lean: true` from its state file alone (`loadRest` later).
 * Returns it (null: none, the first refresh reads everything).
 */
export function startFromCheckpoint(file: string, location: string, state: CoordinationState, records: RecordIndex, options: { lean?: boolean } = {}): Restored | null {
  const restored = loadCheckpoint(file, location, options);
  if (!restored) return null;
  try {
    state.load(restored.snapshot);
  } catch {
    return null;
  }
  records.startFrom(restored.cursor);
  for (const problem of restored.problems) if (records.problems.length < 20) records.problems.push(problem);
  return restored;
}
