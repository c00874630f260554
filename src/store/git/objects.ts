// Loose objects written in-process: far cheaper than spawning git, and safe for concurrent readers
// because each object appears at its final path only through an atomic rename (git's own
// temp-object protocol, not a file of ours: see src/config/files.ts for those).
import { closeSync, existsSync, mkdirSync, openSync, renameSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { hashObject, type ObjectType } from '../objects.js';

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

