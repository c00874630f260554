// The cheapest answer: "still nothing". When a per-prompt or Stop hook found nothing to say, it
// notes the ref tips it started from; the next run of that hook for the same Claude Code session
// that finds every tip unchanged says nothing again without loading the app. Sound because only
// new records can make something to say (time only takes things away: retention, expiry).
import { readFileSync, unlinkSync } from 'node:fs';
import { writeFileAtomic } from '../config/files.js';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readRefTipsSync } from '../store/index.js';

const PREFIXES = ['refs/orchestrator/', 'refs/remotes/'];

export interface QuietStamp {
  file: string;
  /** What must match: the project dir and every tip. */
  key: string;
}

/**
 * The stamp's file and content. hooks/claude-hook computes the same without node: the file is
 * `<session id>.<kind>` for ids made of safe characters (others get a hash no script matches),
 * and the content is the project dir, then `git for-each-ref` lines of every tip, sorted by name.
 */
export function quietStamp(home: string, repo: string, kind: 'prompt' | 'stop', clientSession: string, projectDir: string): QuietStamp {
  const refs = [...readRefTipsSync(repo, PREFIXES)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ref, tip]) => `${ref} ${tip}`);
  const name = /^[A-Za-z0-9._-]+$/.test(clientSession)
    ? `${clientSession}.${kind}`
    : createHash('sha1').update(`${clientSession}\0${kind}`).digest('hex').slice(0, 20);
  return { file: join(home, 'cache', 'claude-hooks-quiet', name), key: `${projectDir}\n${refs.join('\n')}` };
}

export function isStillQuiet(stamp: QuietStamp): boolean {
  try {
    return readFileSync(stamp.file, 'utf8') === stamp.key;
  } catch {
    return false;
  }
}

/** Writes the stamp by rename: a symlink planted there is replaced, its target left alone. */
export function noteQuiet(stamp: QuietStamp): void {
  try {
    writeFileAtomic(stamp.file, stamp.key, { followSymlinks: false });
  } catch {
    // Only costs time.
  }
}

/** Removes the stamp (a symlink planted there is removed, never its target truncated). */
export function forgetQuiet(stamp: QuietStamp): void {
  try {
    unlinkSync(stamp.file);
  } catch {
    // Nothing to forget.
  }
}
