// The per-repo files that coordinate the post-commit hook with the ingester, kept in
// `<common-dir>/orchestrator/`: `poke` (the hook appends a byte per commit), `ingest.lock`
// (the running ingester's pid), `installed` (when hooks were installed, in ms) and `server.pid`
// (a running server that ingests this repo's commits itself, so the hook starts nothing).
// `ingest.lock` is the one lock not taken through config/files.ts's file lock: the post-commit
// hook, a shell script, takes it itself (`set -C`, its pid inside), so it stays a plain pid file
// that sh can write and read; the staleness rules are the same (holder gone, or too old).
import { utimesSync, closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { writeFileAtomic } from '../config/files.js';
import { join } from 'node:path';
import { stateDirOf } from './member-log.js';
import { processAlive as alive } from '../config/processes.js';

export const POKE_FILE = 'poke';
export const LOCK_FILE = 'ingest.lock';
export const INSTALLED_FILE = 'installed';
export const SERVER_FILE = 'server.pid';

/**
 * Says that this process ingests the repo's commits as they are poked (the hook reads the pid
 * with shell builtins and then starts no ingester). Returns the release, which removes the
 * claim only while it is still ours.
 */
export function claimIngestion(commonDir: string): () => void {
  const dir = stateDirOf(commonDir);
  const file = join(dir, SERVER_FILE);
  writeFileAtomic(file, `${process.pid}\n`, { mkdir: false });
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // Gone already, or another server claimed it since.
    }
  };
}

/**
 * Whether another live process (a server of the repo's session) claims its commits
 * (`claimIngestion`): a lingering ingester then leaves the pokes to it.
 */
export function ingestionClaimed(commonDir: string): boolean {
  try {
    const pid = Number(readFileSync(join(stateDirOf(commonDir), SERVER_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid);
  } catch {
    return false;
  }
}

/** Size of the poke file: it grows with every commit, so a change means "look again". */
export function pokeSize(commonDir: string): number {
  try {
    return statSync(join(stateDirOf(commonDir), POKE_FILE)).size;
  } catch {
    return 0;
  }
}

/** Starts the poke file over once it is large (only the lock holder does it); true when it did. */
export function trimPoke(commonDir: string): boolean {
  if (pokeSize(commonDir) <= 64 * 1024) return false;
  writeFileSync(join(stateDirOf(commonDir), POKE_FILE), '');
  return true;
}

export interface Installed {
  /** When hooks were installed (ms). */
  at: number;
  /** Per worktree, the last reflog entry at install time: ingestion starts after it. */
  marks: Map<string, string>;
}

/** The install record, or null: no hooks, so nothing to ingest. Format: ms, then `<worktree> <entry>` lines. */
export function readInstalled(commonDir: string): Installed | null {
  let text: string;
  try {
    text = readFileSync(join(stateDirOf(commonDir), INSTALLED_FILE), 'utf8');
  } catch {
    return null;
  }
  const [first, ...rest] = text.split('\n');
  const at = Number(first?.trim());
  if (!Number.isFinite(at) || at <= 0) return null;
  const marks = new Map<string, string>();
  for (const line of rest) {
    const space = line.indexOf(' ');
    if (space > 0) marks.set(line.slice(0, space), line.slice(space + 1));
  }
  return { at, marks };
}

/** Records the install once; a re-install keeps the first (ingestion continues from its cursor). */
export function writeInstalled(commonDir: string, installed: Installed): void {
  mkdirSync(stateDirOf(commonDir), { recursive: true });
  const lines = [String(installed.at), ...[...installed.marks].map(([w, e]) => `${w} ${e}`)];
  try {
    writeFileSync(join(stateDirOf(commonDir), INSTALLED_FILE), `${lines.join('\n')}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * An ingest lock older than this is taken over even when its pid is alive: the pid was reused by
 * another process (a reboot, a container) after the ingester died. An ingester runs for seconds.
 */
export const INGEST_LOCK_STALE_MS = 10 * 60_000;

/**
 * Takes the ingest lock (O_EXCL file holding our pid). A lock whose pid is dead, or that is older
 * than `INGEST_LOCK_STALE_MS`, is stale and taken over. A lock holding our own pid is ours already: the post-commit hook takes
 * the lock for the ingester it starts (with `$!`), so later commits of a burst start no other node.
 * Returns a release function, or null when a live process holds it.
 * Losing a race on a stale lock at worst lets two ingesters run; the conditional ref update
 * keeps that from recording anything twice.
 */
/** Marks the ingest lock as held now (its mtime), for a holder that keeps it for long. Never throws. */
export function touchIngestLock(commonDir: string): void {
  const now = new Date();
  try {
    utimesSync(join(stateDirOf(commonDir), LOCK_FILE), now, now);
  } catch {
    // Not held (any more): nothing to mark.
  }
}

export function tryIngestLock(commonDir: string): (() => void) | null {
  const dir = stateDirOf(commonDir);
  const file = join(dir, LOCK_FILE);
  mkdirSync(dir, { recursive: true });
  const release = () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(file, 'utf8').trim());
    } catch {
      continue; // Released meanwhile: try again.
    }
    if (!Number.isInteger(holder) || holder <= 0) {
      // Empty: a holder between create and write (live), unless it has been empty for long (killed there).
      if (Date.now() - mtimeOf(file) < 5000) return null;
    } else if (holder === process.pid) {
      return release; // Taken for us by the hook that started this process.
    } else if (alive(holder) && Date.now() - mtimeOf(file) < INGEST_LOCK_STALE_MS) return null;
    try {
      unlinkSync(file);
    } catch {
      // Someone else removed the stale lock first.
    }
  }
  return null;
}
