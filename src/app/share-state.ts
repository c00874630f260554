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

/** Unresolved topology conflicts: conflict files still beside topology.yml. */
export function topologyConflicts(home: string): { remote: string; file: string }[] {
  let names: string[];
  try {
    names = readdirSync(home);
  } catch {
    return [];
  }
  return names
    .map((n) => /^topology\.(.+)\.conflict\.yml$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ remote: m[1]!, file: join(home, m[0]) }));
}

export function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

