// Commit objects parsed into what readers need, with the record decoded (never thrown).
import { decodeRecordMessage, encodeRecordMessage, type OrchestratorRecord } from '../core/records.js';
import { MAX_RECORD_BYTES, recordProblem } from '../core/record-schema.js';
import { StoreError } from './errors.js';
import type { TreeEntry } from './types.js';

export interface StoredCommit {
  sha: string;
  tree: string;
  parents: string[];
  /** Committer time, in milliseconds. */
  time: number;
  message: string;
  record?: OrchestratorRecord;
  /** Why `record` is absent: not a record, a newer format, a malformed or an invalid one. */
  problem?: string;
  /** Bulk reads only: the tip (as passed to `log`) this commit was reached from. */
  source?: string;
}

/**
 * The record a commit message carries, checked (`src/core/record-schema.ts`): a message larger
 * than a record can be is refused before parsing; an invalid record is a problem, never thrown.
 */
export function decodeChecked(message: string): { record: OrchestratorRecord } | { problem: string } {
  if (message.length > 2 * MAX_RECORD_BYTES) return { problem: `too-large: a ${message.length}-character message (records are at most ${MAX_RECORD_BYTES} bytes)` };
  const decoded = decodeRecordMessage(message);
  if (!decoded.ok) return { problem: `${decoded.reason}: ${decoded.detail}` };
  const problem = recordProblem(decoded.record);
  return problem ? { problem: `invalid: ${problem}` } : { record: decoded.record };
}

/**
 * The commit message for a record about to be written: `INVALID_RECORD` when the record breaks a
 * rule readers enforce (they would skip it) or is larger than `MAX_RECORD_BYTES`. Any control
 * character left in the human part (subject, trailers) is replaced: git fsck refuses a NUL.
 */
export function writableMessage(record: OrchestratorRecord): string {
  const problem = recordProblem(record);
  if (problem) throw new StoreError('INVALID_RECORD', `refusing to write an invalid record: ${problem}`, { id: record.id });
  const message = encodeRecordMessage(record);
  if (Buffer.byteLength(message) > MAX_RECORD_BYTES) {
    throw new StoreError('INVALID_RECORD', `refusing to write a record of ${Buffer.byteLength(message)} bytes (at most ${MAX_RECORD_BYTES})`, { id: record.id });
  }
  // eslint-disable-next-line no-control-regex
  return message.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd');
}

export function parseCommit(sha: string, body: Buffer): StoredCommit {
  const text = body.toString('utf8');
  const split = text.indexOf('\n\n');
  const headers = (split < 0 ? text : text.slice(0, split)).split('\n');
  const message = split < 0 ? '' : text.slice(split + 2);
  let tree = '';
  const parents: string[] = [];
  let time = 0;
  for (const line of headers) {
    if (line.startsWith('tree ')) tree = line.slice(5);
    else if (line.startsWith('parent ')) parents.push(line.slice(7));
    else if (line.startsWith('committer ')) {
      // "committer Name <email> 1700000000 +0000": the time is the second-to-last field.
      const fields = line.slice(line.lastIndexOf('>') + 1).trim().split(' ');
      time = Number(fields[0]) * 1000 || 0;
    }
  }
  const commit: StoredCommit = { sha, tree, parents, time, message };
  const decoded = decodeChecked(message);
  if ('record' in decoded) commit.record = decoded.record;
  else commit.problem = decoded.problem;
  return commit;
}

/** Entries of a tree object: mode, name, sha. */
export function parseTree(body: Buffer): { mode: string; name: string; sha: string }[] {
  const entries = [];
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(32, at);
    const nul = body.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > body.length) break;
    entries.push({
      mode: body.toString('utf8', at, space),
      name: body.toString('utf8', space + 1, nul),
      sha: body.toString('hex', nul + 1, nul + 21),
    });
    at = nul + 21;
  }
  return entries;
}

/**
 * The entry at `path` ("a/b/file") below the tree `root`, or null when there is none, reading
 * trees through `readTree` (the git store's object reader, the memory store's map): one
 * traversal for both stores, so they answer alike.
 */
export async function treeEntryAt(root: string, path: string, readTree: (sha: string) => Buffer | Promise<Buffer>): Promise<TreeEntry | null> {
  let tree = root;
  const parts = path.split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const entry = parseTree(await readTree(tree)).find((e) => e.name === parts[i]);
    if (!entry) return null;
    const type = entry.mode === '40000' ? 'tree' : entry.mode === '160000' ? 'commit' : 'blob';
    if (i === parts.length - 1) return { mode: entry.mode, type, sha: entry.sha };
    if (type !== 'tree') return null;
    tree = entry.sha;
  }
  return null;
}

/** The author line of a raw commit as written (name, email, seconds): to copy a commit faithfully. */
export function parseAuthor(body: Buffer): { name: string; email: string; seconds: number } {
  const text = body.toString('utf8');
  const end = text.indexOf('\n\n');
  const line = (end < 0 ? text : text.slice(0, end)).split('\n').find((l) => l.startsWith('author ')) ?? '';
  // "author Name <email> 1700000000 +0000"
  const match = /^author (.*?) ?<([^>]*)> (\d+)/.exec(line);
  return { name: match?.[1] ?? '', email: match?.[2] ?? '', seconds: Number(match?.[3] ?? 0) };
}
