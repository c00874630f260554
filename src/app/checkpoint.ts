// The checkpoint of the folded state: a local cache file under the orchestrator home, keyed by
// the ref tips it was folded from (as Gerrit's NoteDb caches parsed state by tip SHA), so it never
// needs invalidating: a process restores it and reads only the commits that are not reachable
// from those tips. A cache, never a source of truth: unreadable, of another format or another
// repo, and it is ignored (the process reads the retained history as before). Where and why it
// lives there: docs/data-model.md#checkpoints.
//
// Two files, written events first and then the state that names them by `key`: the state alone
// (sessions, sync points, deliveries per role) is what `status` needs, while the events are most
// of the bytes and only processes that deliver updates load them.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../config/files.js';
import { SNAPSHOT_FORMAT, type CoordinationState, type FoldSnapshot } from '../core/state/fold.js';
import type { ChangeEvent } from '../core/records.js';
import type { ReadCursor, RecordIndex } from './record-index.js';

const FORMAT = 1;

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
  /** The fold's snapshot with every group's `events` emptied (they are in the events file). */
  state: FoldSnapshot;
}

interface EventsFile {
  key: string;
  /** Per group name, its events in arrival order. */
  events: Record<string, ChangeEvent[]>;
}

/** What a checkpoint gives a process. */
export interface Restored {
  snapshot: FoldSnapshot;
  cursor: ReadCursor;
  problems: string[];
  /** Whether the events were loaded (false: `withEvents: false`, a state for sessions and sync points only). */
  withEvents: boolean;
}

/** `<home>/cache/fold-<hash of the store's location>.json` (and `.events.json` beside it). */
export function checkpointFile(home: string, location: string): string {
  return join(home, 'cache', `fold-${createHash('sha256').update(location).digest('hex').slice(0, 16)}.json`);
}

function eventsFileOf(file: string): string {
  return file.replace(/\.json$/, '.events.json');
}

/**
 * Reads the checkpoint at `file`, or null when there is none usable. `withEvents: false` skips
 * the events file (a reader that only lists sessions and sync points). Never throws.
 */
export function loadCheckpoint(file: string, location: string, options: { withEvents?: boolean } = {}): Restored | null {
  const withEvents = options.withEvents ?? true;
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
    if (body.format !== FORMAT || body.location !== location || body.state?.format !== SNAPSHOT_FORMAT) return null;
    if (withEvents) {
      const events = JSON.parse(readFileSync(eventsFileOf(file), 'utf8')) as EventsFile;
      if (events.key !== body.key) return null; // written by two processes at once: not a pair
      for (const group of body.state.groups) group.events = events.events[group.name] ?? [];
    }
    return {
      snapshot: body.state,
      cursor: { tips: new Map(Object.entries(body.tips)), maxClock: body.maxClock },
      problems: body.problems ?? [],
      withEvents,
    };
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
    const events: EventsFile['events'] = {};
    for (const group of snapshot.groups) {
      events[group.name] = group.events;
      group.events = [];
    }
    // The same JSON as JSON.stringify({key, events}), written a piece at a time: a server writing
    // its checkpoint after a long first read keeps no copy of every event as one string.
    writeFileAtomic(eventsFileOf(file), eventsJson(key, events));
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

function* eventsJson(key: string, events: EventsFile['events']): Generator<string> {
  yield `{"key":${JSON.stringify(key)},"events":{`;
  let firstGroup = true;
  for (const [name, list] of Object.entries(events)) {
    yield `${firstGroup ? '' : ','}${JSON.stringify(name)}:[`;
    firstGroup = false;
    for (let i = 0; i < list.length; i += 500) {
      const chunk = list.slice(i, i + 500).map((e) => JSON.stringify(e)).join(',');
      yield i === 0 ? chunk : `,${chunk}`;
    }
    yield ']';
  }
  yield '}}';
}

/**
 * Starts `state` (empty) and `records` (not refreshed yet) from the newest checkpoint of the
 * store, if there is a usable one. Returns it (null: none, the first refresh reads everything).
 */
export function startFromCheckpoint(file: string, location: string, state: CoordinationState, records: RecordIndex, options: { withEvents?: boolean } = {}): Restored | null {
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
