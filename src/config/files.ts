// Writing our own files safely, for the whole project: THE atomic file write (temp file, then
// rename: a reader sees the old content or the new, never half) and THE inter-process file lock
// (`<file>` created with O_EXCL, holding who took it; stale when its process is gone or it is too
// old), so two code paths touching the same file always agree on who holds it. Git's own ref
// locks (`<ref>.lock`) are git's protocol and stay in src/store.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readSync, readlinkSync, realpathSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { processAlive } from './processes.js';

export interface AtomicWriteOptions {
  /** File mode (default: the existing file's mode, else 0o600: our files may hold credentials or other sessions' words). */
  mode?: number;
  /** Create the parent folder when missing (default true). */
  mkdir?: boolean;
  /**
   * When `file` is a symlink: true (default) replaces the file it points to and keeps the link (a
   * user's dotfiles setup); false replaces the link itself and never touches its target (a file
   * of ours someone may have replaced with a link).
   */
  followSymlinks?: boolean;
}

/** Where an atomic write of `file` must land: the symlink's final target when following, else the path itself. */
function writeTarget(file: string, follow: boolean): string {
  if (!follow) return file;
  try {
    if (!lstatSync(file).isSymbolicLink()) return file;
  } catch {
    return file;
  }
  try {
    return realpathSync(file);
  } catch {
    // A dangling link: write where it points.
    const to = readlinkSync(file);
    return isAbsolute(to) ? to : join(dirname(file), to);
  }
}

/**
 * Replaces `path` with `data` through a uniquely named temp file beside it and a rename, so a
 * concurrent reader sees the old content or the new, never half. Keeps the file's mode (a
 * `~/.claude.json` at 0600 stays 0600) and, by default, a symlink (see `followSymlinks`). Throws the file system's error
 * (the temp file is removed). Synchronous: callers are short-lived processes and small files.
 * `data` may be an iterable of pieces, written as they come (a large file never whole in memory).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<string>, options: AtomicWriteOptions = {}): void {
  const file = writeTarget(path, options.followSymlinks !== false);
  if (options.mkdir !== false) mkdirSync(dirname(file), { recursive: true });
  let mode = options.mode;
  if (mode === undefined) {
    try {
      const existing = lstatSync(file);
      mode = existing.isFile() ? existing.mode & 0o7777 : 0o600;
    } catch {
      mode = 0o600;
    }
  }
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) writeFileSync(temp, data, { flag: 'wx', mode });
    else {
      // Pieces written as they come: a large file never exists whole in memory.
      const fd = openSync(temp, 'wx', mode);
      try {
        for (const piece of data) writeSync(fd, piece);
      } finally {
        closeSync(fd);
      }
    }
    chmodSync(temp, mode); // the umask applies at creation only
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or already renamed.
    }
    throw error;
  }
}

interface LockInfo {
  pid: number;
  host: string;
  at: number;
  nonce: string;
}

export interface HeldLock {
  /** Removes the lock if it is still ours (someone may have broken it as stale since). */
  release(): Promise<void>;
  /** Stale locks broken on the way, for the user to hear of. */
  notices: string[];
}

export interface LockOptions {
  /** A lock older than this is stale and is broken. */
  staleMs: number;
  /** How long to wait for a held lock (0: one attempt). */
  timeoutMs?: number;
  /** What the lock guards, for notices (e.g. "the topology"). */
  what: string;
}

export type LockAttempt = { held: HeldLock } | { busy: string };

/** Takes the lock, waiting with backoff and jitter up to `timeoutMs`; `busy` names the holder when it could not. */
export async function acquireFileLock(file: string, options: LockOptions): Promise<LockAttempt> {
  const notices: string[] = [];
  const mine: LockInfo = { pid: process.pid, host: hostname(), at: Date.now(), nonce: randomBytes(8).toString('hex') };
  await mkdir(dirname(file), { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 0);
  let delay = 5;
  // The lock appears whole or not at all: written beside it, then hard-linked into place (link
  // fails when the lock exists). Created empty and then written, a holder killed in between left
  // a lock naming nobody, which only its age could break (minutes).
  const draft = draftOf(file, process.pid, mine.nonce);
  await writeFile(draft, JSON.stringify(mine));
  try {
    for (;;) {
      try {
        await link(draft, file);
        return { held: { notices, release: () => releaseIfOurs(file, mine.nonce) } };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readLock(file);
      const why = holder ? await staleReason(holder, file, options.staleMs) : null;
      if (holder && why) {
        if (await breakLock(file, holder)) {
          notices.push(`broke a stale lock on ${options.what} (${describeHolder(holder)}, ${why}): ${file}`);
          await unlink(draftOf(file, holder.pid, holder.nonce)).catch(() => undefined); // if it died before removing it
        }
        continue;
      }
      if (Date.now() >= deadline) return { busy: holder ? describeHolder(holder) : 'another process' };
      await new Promise((r) => setTimeout(r, delay / 2 + Math.random() * delay));
      delay = Math.min(delay * 2, 250);
    }
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

/** Where a taker writes its lock before linking it into place: named by its pid and nonce, as the lock is. */
function draftOf(file: string, pid: number, nonce: string): string {
  return `${file}.${pid}.${nonce}.tmp`;
}

async function releaseIfOurs(file: string, nonce: string): Promise<void> {
  const current = await readLock(file);
  if (current?.nonce === nonce) await unlink(file).catch(() => undefined);
}

async function staleReason(holder: LockInfo, file: string, staleMs: number): Promise<string | null> {
  const age = Date.now() - (Number.isFinite(holder.at) ? holder.at : await mtimeOf(file));
  if (age > staleMs) return `held for ${Math.round(age / 1000)} s`;
  if (holder.host === hostname() && holder.pid > 0 && !processAlive(holder.pid)) return `process ${holder.pid} is gone`;
  return null;
}

async function readLock(file: string): Promise<LockInfo | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<LockInfo>;
    return { pid: Number(value.pid ?? 0), host: String(value.host ?? ''), at: Number(value.at ?? NaN), nonce: String(value.nonce ?? '') };
  } catch {
    // Half-written by a process that died between create and write: judged by its age alone.
    return { pid: 0, host: '', at: await mtimeOf(file), nonce: '' };
  }
}

/** Moves the stale lock aside and checks it was the one judged stale; puts back a live one taken by mistake. */
async function breakLock(file: string, stale: LockInfo): Promise<boolean> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch {
    return false; // Someone else broke it first.
  }
  const moved = await readLock(aside);
  if (moved && moved.nonce !== stale.nonce) {
    // A fresh lock replaced the stale one between our read and rename: give it back.
    await link(aside, file).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return false;
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

function describeHolder(holder: LockInfo): string {
  return holder.pid ? `process ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}` : 'an unknown process';
}

async function mtimeOf(file: string): Promise<number> {
  return stat(file).then((s) => s.mtimeMs, () => Date.now());
}

/**
 * At most the first `maxBytes` bytes of `file` as UTF-8 (a file's head): what a size-checked
 * parser needs to refuse an oversized file without reading all of it. Errors: the file system's
 * (ENOENT for a missing file).
 */
export function readFileHead(file: string, maxBytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(maxBytes);
    let length = 0;
    while (length < maxBytes) {
      const read = readSync(fd, buffer, length, maxBytes - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
