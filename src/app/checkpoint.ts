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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../config/files.js';
import { leanSnapshot, SNAPSHOT_FORMAT, type CoordinationState, type FoldSnapshot, type GroupRest } from '../core/state/fold.js';
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

interface RestFile {
  key: string;
  /** Per group name: every event (in arrival order), every first delivery and acknowledgement. */
  groups: Record<string, GroupRest>;
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
 * The rest file of the checkpoint at `file` whose state file had `key`, per group name; null when
 * it is missing, unreadable or another checkpoint's (written since by another process). Never throws.
 */
export function loadRest(file: string, key: string): Map<string, GroupRest> | null {
  try {
    const body = JSON.parse(readFileSync(eventsFileOf(file), 'utf8')) as RestFile;
    if (body.key !== key) return null;
    return new Map(Object.entries(body.groups));
  } catch {
    return null;
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
    const rest: RestFile['groups'] = {};
    snapshot.groups = snapshot.groups.map((group) => {
      const split = leanSnapshot(group);
      rest[group.name] = split.rest;
      return split.lean;
    });
    // The same JSON as JSON.stringify({key, groups}), written a piece at a time: a process writing
    // its checkpoint after a long read keeps no copy of every event as one string.
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

function* restJson(key: string, groups: RestFile['groups']): Generator<string> {
  yield `{"key":${JSON.stringify(key)},"groups":{`;
  let firstGroup = true;
  for (const [name, rest] of Object.entries(groups)) {
    yield `${firstGroup ? '' : ','}${JSON.stringify(name)}:{"events":[`;
    firstGroup = false;
    yield* chunked(rest.events);
    yield '],"firstByRole":[';
    let firstRole = true;
    for (const [role, ids] of rest.firstByRole) {
      yield `${firstRole ? '' : ','}[${JSON.stringify(role)},[`;
      firstRole = false;
      yield* chunked(ids);
      yield ']]';
    }
    yield `],"acknowledged":${JSON.stringify(rest.acknowledged)}}`;
  }
  yield '}}';
}

function* chunked(list: readonly unknown[]): Generator<string> {
  for (let i = 0; i < list.length; i += 500) {
    const chunk = list.slice(i, i + 500).map((e) => JSON.stringify(e)).join(',');
    yield i === 0 ? chunk : `,${chunk}`;
  }
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
