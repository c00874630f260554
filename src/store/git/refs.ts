// Refs read and updated in-process with git's own lock protocol, so the git CLI (update-ref,
// pack-refs, gc) can work on the same repo at the same time:
//   create <ref>.lock with O_EXCL, read the current value, compare, write it, rename over the ref.
// Over 300 lines: git's ref protocol in one place — reading loose and packed refs, the lock
// (create, compare, rename; stale locks broken by one rule), and the listing cache — since each
// part relies on the others' exact file handling.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreError } from '../errors.js';

const SHA = /^[0-9a-f]{40}$/;

/** Backoff while another writer holds the lock (ms). */
const FIRST_DELAY = 1;
const MAX_DELAY = 50;
const GIVE_UP_AFTER = 10_000;
/**
 * A `<ref>.lock` (ours or git's) older than this was left by a writer that died: it is removed and
 * the write goes on. Writers hold a ref lock for the few ms between creating it and renaming it
 * over the ref (ours synchronously, git's in `update-ref`, `fetch`, `pack-refs`), so 5 s is three
 * orders of magnitude of margin; a lock file records no pid, so age is the only sign of a dead
 * holder. See docs/data-model.md, "Faults".
 */
export const STALE_LOCK_MS = 5_000;
/** Breaking a stale lock is itself serialised by this file, held for microseconds. */
const BREAKER = 'orchestrator-break.lock';

function readLoose(gitDir: string, ref: string): string | null | undefined {
  let text: string;
  try {
    text = readFileSync(join(gitDir, ref), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw error;
  }
  const value = text.trim();
  return SHA.test(value) ? value : null; // null: a symbolic or garbled ref, not ours to read
}

/** name -> sha of packed-refs (peeled lines skipped). Replaced atomically by git, so one read is consistent. */
export function readPackedRefs(gitDir: string): Map<string, string> {
  const refs = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(join(gitDir, 'packed-refs'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return refs;
    throw error;
  }
  for (const line of text.split('\n')) {
    if (line.length < 42 || line[40] !== ' ' || !SHA.test(line.slice(0, 40))) continue;
    refs.set(line.slice(41), line.slice(0, 40));
  }
  return refs;
}

/** Current value: loose file first, then packed-refs (git's order, safe against a concurrent pack-refs). */
export function readRef(gitDir: string, ref: string): string | null {
  const loose = readLoose(gitDir, ref);
  if (loose !== undefined) return loose;
  return readPackedRefs(gitDir).get(ref) ?? null;
}

/**
 * All refs whose names start with one of the prefixes: loose files merged over packed-refs.
 * A loose ref file that holds no object id (empty, garbage, symbolic) is left out and, when `bad`
 * is given, named there with what it holds.
 */
export function listRefs(gitDir: string, prefixes: string[], bad?: Map<string, string>): Map<string, string> {
  const found = new Map<string, string>();
  for (const prefix of prefixes) {
    // A prefix may end inside a component ("refs/orchestrator/ses"): scan its directory, then filter.
    const dir = prefix.endsWith('/') ? prefix.slice(0, -1) : dirname(prefix);
    for (const ref of looseUnder(gitDir, dir)) {
      if (!ref.startsWith(prefix) || found.has(ref)) continue;
      const sha = readLoose(gitDir, ref);
      if (sha) found.set(ref, sha);
      else if (sha === null && bad) bad.set(ref, describeBadRef(gitDir, ref));
    }
  }
  // Read after the loose files: a ref pruned meanwhile by pack-refs was packed before it was pruned.
  for (const [ref, sha] of readPackedRefs(gitDir)) {
    if (!found.has(ref) && prefixes.some((p) => ref.startsWith(p))) found.set(ref, sha);
  }
  return found;
}

function describeBadRef(gitDir: string, ref: string): string {
  let text = '';
  try {
    text = readFileSync(join(gitDir, ref), 'utf8');
  } catch {
    return 'unreadable ref file';
  }
  if (text.trim() === '') return 'the ref file is empty';
  if (text.startsWith('ref: ')) return `a symbolic ref (${text.slice(5).trim().slice(0, 80)})`;
  return 'the ref file holds no object id';
}

function looseUnder(gitDir: string, dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(join(gitDir, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  const refs: string[] = [];
  for (const entry of entries) {
    const name = `${dir}/${entry.name}`;
    if (entry.isDirectory()) refs.push(...looseUnder(gitDir, name));
    else if (entry.isFile() && !entry.name.endsWith('.lock')) refs.push(name);
  }
  return refs;
}

export type Held = { lockPath: string; fd: number; current: string | null };

/** Takes `<ref>.lock`, returning null when someone else holds it. */
function tryLock(gitDir: string, ref: string): Held | null {
  const lockPath = join(gitDir, `${ref}.lock`);
  let fd: number;
  // The parent folder usually exists: create it only when the open says it doesn't
  // (`git pack-refs` removes empty folders, so it may vanish between our mkdir and our open: retry).
  for (let attempt = 0; ; attempt++) {
    try {
      if (attempt > 0) mkdirSync(dirname(lockPath), { recursive: true });
      fd = openSync(lockPath, 'wx', 0o644);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return null;
      if (code === 'ENOENT' && attempt < 5) continue;
      if (code === 'ENOTDIR' || code === 'ENOENT') {
        throw new StoreError('REF_CONFLICT', `cannot create ${ref}: a ref named like one of its parent folders exists`, { ref });
      }
      throw error;
    }
  }
  try {
    return { lockPath, fd, current: readRef(gitDir, ref) };
  } catch (error) {
    closeSync(fd);
    unlinkQuietly(lockPath);
    throw error;
  }
}

/**
 * Runs `decide` while holding the ref's lock. `decide` gets the current value and returns the new
 * value to write, or undefined to leave the ref alone. Synchronous inside, so the lock is held briefly.
 */
export async function withRefLock<T>(
  gitDir: string,
  ref: string,
  decide: (current: string | null) => { write?: string; result: T },
  giveUpAfter = GIVE_UP_AFTER,
): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const held = tryLock(gitDir, ref);
    if (held) {
      let open = true;
      try {
        const { write, result } = decide(held.current);
        if (write !== undefined) writeSync(held.fd, `${write}\n`);
        // Still our lock? (A writer stalled for longer than STALE_LOCK_MS had its lock broken.)
        if (write !== undefined && fstatSync(held.fd).ino !== statOrNull(held.lockPath)?.ino) {
          throw new StoreError('REF_LOCKED', `the lock on ${ref} was taken over while this process held it for more than ${STALE_LOCK_MS / 1000} s; try again`, { ref });
        }
        closeSync(held.fd);
        open = false;
        if (write !== undefined) renameSync(held.lockPath, join(gitDir, ref));
        else unlinkQuietly(held.lockPath);
        return result;
      } catch (error) {
        if (open) closeSync(held.fd);
        unlinkQuietly(held.lockPath);
        if ((error as NodeJS.ErrnoException).code === 'EISDIR') {
          throw new StoreError('REF_CONFLICT', `cannot write ${ref}: a folder of refs has that name`, { ref });
        }
        throw error;
      }
    }
    if (breakStaleLock(gitDir, join(gitDir, `${ref}.lock`))) continue;
    if (Date.now() - started > giveUpAfter) throw lockedError(gitDir, ref, giveUpAfter);
    // Exponential backoff with jitter, so writers that collided don't collide again in step.
    const ceiling = Math.min(MAX_DELAY, FIRST_DELAY * 2 ** attempt);
    await new Promise((r) => setTimeout(r, ceiling / 2 + Math.random() * (ceiling / 2)));
  }
}

function lockedError(gitDir: string, ref: string, waited: number): StoreError {
  const lockPath = join(gitDir, `${ref}.lock`);
  let age = 0;
  try {
    age = Date.now() - statSync(lockPath).mtimeMs;
  } catch {
    // Released just now.
  }
  const stale = age > STALE_LOCK_MS;
  const hint = stale
    ? `the lock is ${Math.round(age / 1000)} s old and could not be removed: check the folder's permissions, or remove it with: rm '${lockPath}'`
    : `another process keeps renewing it; a lock older than ${STALE_LOCK_MS / 1000} s is taken over, so try again`;
  return new StoreError('REF_LOCKED', `could not lock ${ref} for ${waited / 1000} s (${lockPath} exists): ${hint}`, {
    ref,
    lockPath,
    stale,
  });
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Removes `lockPath` when it is older than `staleAfter` ms (its writer died); true when it did.
 * Two processes breaking the same lock are serialised by a breaker file, and the age is checked
 * again under it, so a fresh lock taken right after the stale one went is never removed.
 */
export function breakStaleLock(gitDir: string, lockPath: string, staleAfter = STALE_LOCK_MS): boolean {
  const first = statOrNull(lockPath);
  if (!first || Date.now() - first.mtimeMs < staleAfter) return false;
  const breaker = join(gitDir, BREAKER);
  let fd: number;
  try {
    fd = openSync(breaker, 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') return false; // read-only: nothing to break, the caller reports the lock
    const held = statOrNull(breaker);
    if (held && Date.now() - held.mtimeMs > 2_000) unlinkQuietly(breaker); // a breaker that died
    return false;
  }
  try {
    const again = statOrNull(lockPath);
    if (!again || Date.now() - again.mtimeMs < staleAfter) return false;
    unlinkSync(lockPath);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
    unlinkQuietly(breaker);
  }
}

/**
 * Removes stale `*.lock` files under `dir` (a folder of refs, e.g. `refs/remotes/origin/`) and a
 * stale `packed-refs.lock`: what a killed `git fetch` or `git push` leaves, which git never removes
 * itself and which would fail every later fetch. Returns the locks removed (paths in the repo).
 */
export function recoverStaleLocks(gitDir: string, dir: string, staleAfter = STALE_LOCK_MS): string[] {
  const removed: string[] = [];
  const visit = (rel: string) => {
    let entries;
    try {
      entries = readdirSync(join(gitDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.lock') && breakStaleLock(gitDir, join(gitDir, path), staleAfter)) removed.push(path);
    }
  };
  visit(dir.replace(/\/+$/, ''));
  if (breakStaleLock(gitDir, join(gitDir, 'packed-refs.lock'), staleAfter)) removed.push('packed-refs.lock');
  return removed;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * The tips under `prefixes` of the git store at `location`, read synchronously without opening
 * it (no child process): for a short-lived hook that only compares tips. Empty when absent.
 */
export function readRefTipsSync(location: string, prefixes: string[]): Map<string, string> {
  return listRefs(location, prefixes);
}

/** A directory's change stamp; renames and new or deleted entries in it change its mtime. */
function stampOf(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.mtimeNs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

/** Stamps younger than this (ms) are not trusted: the file system's clock ticks coarsely (racy-git's rule). */
const RACY_MS = 50;

/**
 * One listing of refs: the packed refs under the prefixes, with the valid loose refs laid over
 * them (a loose ref wins, as in git). Read-only. Two listings over the same packed refs differ at
 * most in their loose refs (`changedBetween`): a write moves one loose ref, and a reader of
 * 1,000 session refs then compares a handful, not all of them, and copies nothing.
 */
export class RefListing implements ReadonlyMap<string, string> {
  readonly size: number;

  constructor(
    readonly packed: ReadonlyMap<string, string>,
    readonly loose: ReadonlyMap<string, string>,
  ) {
    let size = packed.size;
    for (const ref of loose.keys()) if (!packed.has(ref)) size++;
    this.size = size;
  }

  get(ref: string): string | undefined {
    return this.loose.get(ref) ?? this.packed.get(ref);
  }

  has(ref: string): boolean {
    return this.loose.has(ref) || this.packed.has(ref);
  }

  *entries(): MapIterator<[string, string]> {
    yield* this.loose;
    for (const entry of this.packed) if (!this.loose.has(entry[0])) yield entry;
  }

  *keys(): MapIterator<string> {
    for (const [ref] of this.entries()) yield ref;
  }

  *values(): MapIterator<string> {
    for (const [, sha] of this.entries()) yield sha;
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }

  forEach(each: (sha: string, ref: string, map: ReadonlyMap<string, string>) => void): void {
    for (const [ref, sha] of this.entries()) each(sha, ref, this);
  }
}

/**
 * The refs whose tips may differ between two listings, or null when any may (other packed refs,
 * or not two listings of a RefLister): a superset, never missing one that moved.
 */
export function changedBetween(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Set<string> | null {
  if (!(before instanceof RefListing) || !(after instanceof RefListing) || before.packed !== after.packed) return null;
  const changed = new Set<string>();
  for (const [ref, sha] of after.loose) if (before.loose.get(ref) !== sha) changed.add(ref);
  for (const ref of before.loose.keys()) if (!after.loose.has(ref)) changed.add(ref);
  return changed;
}

/** One loose ref folder as last read: its stamp ('' when it was racy: read it again), its ref files and subfolders. */
interface Folder {
  stamp: string;
  /** ref -> sha, or null for a file that holds no object id (named in `bad` with `why`). */
  refs: Map<string, string | null>;
  why: Map<string, string>;
  subfolders: string[];
}

/**
 * Lists refs like `listRefs`, reading only what changed since the last listing: a change check
 * on `packed-refs` and on every loose ref folder (one `stat` each), and only a changed folder's
 * ref files read again (a thousand sessions' refs, packed, are not re-read because one session
 * wrote). Every ref update (ours and git's) renames a file into its folder, which moves the
 * folder's mtime; a folder or packed-refs stamped within the last RACY_MS is read again next time.
 */
export class RefLister {
  private readonly folders = new Map<string, Folder>();
  private packed: { stamp: string; refs: Map<string, string> } | null = null;
  /**
   * The last listing per set of prefixes, handed out again while no folder and not packed-refs
   * changed: a reader of 1,000 session refs then pays a few stats per call, not a new map
   * (~0.2 ms, and its garbage) and the caller's walk of it to find what moved.
   */
  private readonly last = new Map<
    string,
    { found: ReadonlyMap<string, string>; bad: Map<string, string>; packed: Map<string, string>; packedMatching: Map<string, string>; folders: Folder[] }
  >();

  constructor(private readonly gitDir: string) {}

  /**
   * As listRefs; damaged refs go to `bad`. The same map object as the last call with these
   * prefixes when nothing changed on disk since (readers may compare identities): never mutate it.
   */
  list(prefixes: string[], bad?: Map<string, string>): ReadonlyMap<string, string> {
    const started = Date.now();
    const key = prefixes.join('\u0000');
    const loose = new Map<string, string>();
    const damaged = new Map<string, string>();
    const visited = new Set<string>();
    const scanned: Folder[] = [];
    for (const prefix of prefixes) {
      // A prefix may end inside a component ("refs/orchestrator/ses"): scan its folder, then filter.
      this.scan(prefix.endsWith('/') ? prefix.slice(0, -1) : dirname(prefix), started, visited, (folder) => {
        scanned.push(folder);
        for (const [ref, sha] of folder.refs) {
          if (!ref.startsWith(prefix) || loose.has(ref)) continue;
          if (sha) loose.set(ref, sha);
          else damaged.set(ref, folder.why.get(ref)!);
        }
      });
    }
    for (const dir of this.folders.keys()) if (!visited.has(dir)) this.folders.delete(dir);
    // Read after the loose files: a ref pruned meanwhile by pack-refs was packed before it was pruned.
    const packed = this.packedRefs(started);
    // Folders are read again only when their stamp moved: the same folder objects in the same
    // order, and the same packed refs, list the same refs.
    const last = this.last.get(key);
    if (last && last.packed === packed && last.folders.length === scanned.length && last.folders.every((f, i) => f === scanned[i])) {
      for (const [ref, why] of last.bad) bad?.set(ref, why);
      return last.found;
    }
    for (const [ref, why] of damaged) bad?.set(ref, why);
    // Packed refs under the prefixes, filtered once per packed-refs file (a damaged loose ref
    // leaves the packed one showing).
    const packedMatching = last?.packed === packed ? last.packedMatching : new Map([...packed].filter(([ref]) => prefixes.some((p) => ref.startsWith(p))));
    const found = new RefListing(packedMatching, loose);
    this.last.set(key, { found, bad: damaged, packed, packedMatching, folders: scanned });
    return found;
  }

  private scan(dir: string, started: number, visited: Set<string>, take: (folder: Folder) => void): void {
    if (visited.has(dir)) return;
    visited.add(dir);
    // The stamp first, then the listing: a change during the listing shows as a changed stamp next time.
    const stamp = stampOf(join(this.gitDir, dir));
    let folder = this.folders.get(dir);
    if (!folder || folder.stamp === '' || folder.stamp !== stamp) {
      folder = { stamp: isRacy(stamp, started) ? '' : stamp, refs: new Map(), why: new Map(), subfolders: [] };
      let entries: import('node:fs').Dirent[] = [];
      try {
        entries = readdirSync(join(this.gitDir, dir), { withFileTypes: true });
      } catch {
        // No such folder (yet): no refs under it.
      }
      for (const entry of entries) {
        const ref = `${dir}/${entry.name}`;
        if (entry.isDirectory()) folder.subfolders.push(entry.name);
        else if (entry.isFile() && !entry.name.endsWith('.lock')) {
          const sha = readLoose(this.gitDir, ref);
          if (sha === undefined) continue; // removed meanwhile
          folder.refs.set(ref, sha);
          if (sha === null) folder.why.set(ref, describeBadRef(this.gitDir, ref));
        }
      }
      this.folders.set(dir, folder);
    }
    take(folder);
    for (const sub of folder.subfolders) this.scan(`${dir}/${sub}`, started, visited, take);
  }

  private packedRefs(started: number): Map<string, string> {
    const stamp = stampOf(join(this.gitDir, 'packed-refs'));
    if (this.packed && this.packed.stamp !== '' && this.packed.stamp === stamp) return this.packed.refs;
    const refs = readPackedRefs(this.gitDir);
    this.packed = { stamp: isRacy(stamp, started) ? '' : stamp, refs };
    return refs;
  }
}

function isRacy(stamp: string, now: number): boolean {
  const ns = stamp.split(':')[1];
  return ns !== undefined && Number(BigInt(ns) / 1_000_000n) > now - RACY_MS;
}

