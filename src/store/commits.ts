// Commit objects parsed into what readers need, with the record decoded (never thrown).
import { decodeRecordMessage, type OrchestratorRecord } from '../core/records.js';

export interface StoredCommit {
  sha: string;
  tree: string;
  parents: string[];
  /** Committer time, in milliseconds. */
  time: number;
  message: string;
  record?: OrchestratorRecord;
  /** Why `record` is absent: not a record, a newer format, or a malformed one. */
  problem?: string;
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
  const decoded = decodeRecordMessage(message);
  if (decoded.ok) commit.record = decoded.record;
  else commit.problem = `${decoded.reason}: ${decoded.detail}`;
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

/** The author line of a raw commit as written (name, email, seconds): to copy a commit faithfully. */
export function parseAuthor(body: Buffer): { name: string; email: string; seconds: number } {
  const text = body.toString('utf8');
  const end = text.indexOf('\n\n');
  const line = (end < 0 ? text : text.slice(0, end)).split('\n').find((l) => l.startsWith('author ')) ?? '';
  // "author Name <email> 1700000000 +0000"
  const match = /^author (.*?) ?<([^>]*)> (\d+)/.exec(line);
  return { name: match?.[1] ?? '', email: match?.[2] ?? '', seconds: Number(match?.[3] ?? 0) };
}
