// What this machine noted of its shares with each remote (not in git: per machine), and the
// topology conflicts waiting for a person beside topology.yml. Read by status, remote list and
// the dashboard; written by share.ts.
import { mkdirSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../config/files.js';
import type { RemoteSyncState } from './share.js';

/** Where the share state files live: `<home>/sync/` (also the per-remote share locks). */
export function stateDir(home: string): string {
  return join(home, 'sync');
}

export function readRemoteState(home: string, remote: string): RemoteSyncState | null {
  const text = readText(join(stateDir(home), `${remote}.json`));
  if (text === null) return null;
  try {
    return JSON.parse(text) as RemoteSyncState;
  } catch {
    return null;
  }
}

/** The last sync of every remote this machine synced with. */
export function readSyncStates(home: string): RemoteSyncState[] {
  let names: string[];
  try {
    names = readdirSync(stateDir(home)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((n) => readRemoteState(home, n.slice(0, -5))).filter((s): s is RemoteSyncState => s !== null);
}

export function forgetRemoteState(home: string, remote: string): void {
  try {
    unlinkSync(join(stateDir(home), `${remote}.json`));
  } catch {
    // Never synced.
  }
}

export function writeRemoteState(home: string, state: RemoteSyncState): void {
  try {
    mkdirSync(stateDir(home), { recursive: true });
    writeFileAtomic(join(stateDir(home), `${state.remote}.json`), `${JSON.stringify(state, null, 2)}\n`);
  } catch {
    // Reporting state is best effort; the sync itself is done.
  }
}

/**
 * A topology conflict waiting for a person: a file beside topology.yml holding the version that
 * was not kept. `kept: 'ours'`: this machine's version stayed, the remote's is in `file`
 * (`topology.<remote>.conflict.yml`); `kept: 'theirs'`: a merge on another machine kept its
 * version and this machine's edit is in `file` (`topology.<remote>.not-kept.yml`).
 */
export interface TopologyConflict {
  remote: string;
  file: string;
  kept: 'ours' | 'theirs';
}

/** Where a conflict's not-kept version goes (see TopologyConflict). */
export function conflictFile(home: string, remote: string, kept: 'ours' | 'theirs'): string {
  return join(home, `topology.${remote}.${kept === 'ours' ? 'conflict' : 'not-kept'}.yml`);
}

/** Unresolved topology conflicts: conflict files still beside topology.yml. */
export function topologyConflicts(home: string): TopologyConflict[] {
  let names: string[];
  try {
    names = readdirSync(home);
  } catch {
    return [];
  }
  return names
    .map((n) => /^topology\.(.+)\.(conflict|not-kept)\.yml$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ remote: m[1]!, file: join(home, m[0]), kept: m[2] === 'conflict' ? 'ours' as const : 'theirs' as const }));
}

/** One line for a person: which version stayed, where the other is, what to do. */
export function describeConflict(c: TopologyConflict): string {
  return c.kept === 'ours'
    ? `topology conflict with ${c.remote}: this machine's version was kept; theirs is in ${c.file}; merge what you need into topology.yml, then delete that file`
    : `topology conflict with ${c.remote}: a merge there kept its version, so this machine's edit was not kept; it is in ${c.file}; merge what you still need into topology.yml, then delete that file`;
}

export function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

