// Member paths that reached this machine in a topology from a remote, and were never named here.
//
// A topology merged from a remote may name any path on this disk. Reading it is harmless, but
// `hooks install` writes a hook into each member repo: a path redirected by a remote would have
// it write into a repository the user never named. So each path the shared topology brings that
// this machine's topology did not have is noted (`<home>/shared-paths.json`), and a bulk
// `hooks install` skips noted paths until the user names them here (`hooks install <path>`,
// `member add`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../config/files.js';
import type { Topology } from '../core/types.js';

/** Where a noted path came from: the remote and when (ISO time). */
export interface PathArrival {
  remote: string;
  at: string;
}

const FILE = 'shared-paths.json';
/** More than this many noted paths is not a topology of ours: the oldest are dropped. */
const MAX_PATHS = 10_000;

function memberPaths(topology: Topology | null): Set<string> {
  return new Set(topology ? Object.values(topology.groups).flatMap((g) => g.members.map((m) => m.path)) : []);
}

/** The noted paths: absolute member paths (as the topology expands them) with their arrival. */
export function pathsFromRemotes(home: string): Map<string, PathArrival> {
  try {
    const parsed = JSON.parse(readFileSync(join(home, FILE), 'utf8')) as Record<string, PathArrival>;
    const found = new Map<string, PathArrival>();
    for (const [path, arrival] of Object.entries(parsed)) {
      if (typeof arrival?.remote === 'string' && typeof arrival.at === 'string') found.set(path, arrival);
    }
    return found;
  } catch {
    return new Map(); // none noted yet (or unreadable: nothing is skipped rather than everything)
  }
}

function save(home: string, paths: Map<string, PathArrival>): void {
  const kept = [...paths].slice(-MAX_PATHS);
  writeFileAtomic(join(home, FILE), `${JSON.stringify(Object.fromEntries(kept), null, 1)}\n`, { mode: 0o600 });
}

/**
 * Notes the member paths of `after` (adopted from `remote`) that `before` (this machine's
 * topology until then; null when it had none) did not have. Paths noted earlier stay noted.
 */
export function notePathsFromRemote(home: string, remote: string, before: Topology | null, after: Topology | null, now: number): void {
  const had = memberPaths(before);
  const arrived = [...memberPaths(after)].filter((p) => !had.has(p));
  if (arrived.length === 0) return;
  const noted = pathsFromRemotes(home);
  const at = new Date(now).toISOString();
  for (const path of arrived) if (!noted.has(path)) noted.set(path, { remote, at });
  save(home, noted);
}

/** The user named these paths on this machine: they are no longer skipped. */
export function confirmPaths(home: string, paths: Iterable<string>): void {
  const noted = pathsFromRemotes(home);
  let changed = false;
  for (const path of paths) changed = noted.delete(path) || changed;
  if (changed) save(home, noted);
}
