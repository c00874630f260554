// Loose objects written in-process: far cheaper than spawning git, and safe for concurrent readers
// because each object appears at its final path only through an atomic rename.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

export type ObjectType = 'blob' | 'tree' | 'commit';

export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export function hashObject(type: ObjectType, body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

/** Writes one object unless it is already there as a loose object; returns its SHA. */
export function writeObject(gitDir: string, type: ObjectType, body: Buffer): string {
  const sha = hashObject(type, body);
  const dir = join(gitDir, 'objects', sha.slice(0, 2));
  const file = join(dir, sha.slice(2));
  if (existsSync(file)) {
    // Freshen it like git does, so a concurrent `git prune` can't drop an old object we now reuse.
    try {
      const now = new Date();
      utimesSync(file, now, now);
      return sha;
    } catch {
      // Vanished meanwhile (packed and pruned): write it again below.
    }
  }
  const data = deflateSync(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]));
  // The objects/xx directory usually exists: create it only when the open says it doesn't
  // (`git prune` may also remove an empty one between our mkdir and our open: retry).
  for (let attempt = 0; ; attempt++) {
    const tmp = join(dir, `tmp_obj_${process.pid}_${Math.random().toString(36).slice(2)}`);
    try {
      if (attempt > 0) mkdirSync(dir, { recursive: true });
      const fd = openSync(tmp, 'wx', 0o444);
      try {
        writeSync(fd, data);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
      return sha;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw error;
    }
  }
}

export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  seconds: number;
}

/** Commit body in git's canonical format (what `git fsck --strict` accepts). */
export function commitBody(tree: string, parents: string[], author: Signature, message: string): Buffer {
  const who = `${clean(author.name) || 'orchestrator'} <${clean(author.email)}> ${Math.max(0, Math.floor(author.seconds))} +0000`;
  const lines = [`tree ${tree}`, ...parents.map((p) => `parent ${p}`), `author ${who}`, `committer ${who}`];
  return Buffer.from(`${lines.join('\n')}\n\n${message}`, 'utf8');
}

/** Identity fields may not hold angle brackets or line breaks. */
function clean(text: string): string {
  return text.replace(/[<>\0\n\r]/g, '').trim();
}

/** A tree of regular files at its root, sorted as git requires. */
export function treeBody(files: { name: string; blob: string }[]): Buffer {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Buffer.concat(
    sorted.flatMap((f) => [Buffer.from(`100644 ${f.name}\0`), Buffer.from(f.blob, 'hex')]),
  );
}
