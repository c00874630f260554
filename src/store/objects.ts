// Git's object formats (commit, tree, hash), pure: the git store writes them as loose objects
// (src/store/git/objects.ts) and the in-memory store hashes them the same way, so both give the
// same SHAs for the same records.
import { createHash } from 'node:crypto';
import type { OrchestratorRecord } from '../core/records.js';

export type ObjectType = 'blob' | 'tree' | 'commit';

export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** Git's object id: SHA-1 of `<type> <length>NUL<body>`. */
export function hashObject(type: ObjectType, body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
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

/**
 * `body` (a commit as `commitBody` makes it) with a `gpgsig` header holding `signature` (an armored
 * `-----BEGIN SSH SIGNATURE-----` block over `body` itself), inserted after the last header line,
 * each line after the first indented by one space: exactly what `git commit -S` writes
 * (git's commit.c, add_header_signature; git-commit-tree(1); gitformat-signature(5)).
 */
export function signedCommitBody(body: Buffer, signature: string): Buffer {
  const text = body.toString('utf8');
  const end = text.indexOf('\n\n');
  const header = `gpgsig ${signature.replace(/\r/g, '').trimEnd().split('\n').join('\n ')}`;
  return Buffer.from(`${text.slice(0, end)}\n${header}${text.slice(end)}`, 'utf8');
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

/**
 * Author and committer of a record's commit: `<role> (<group>) <session-or-role@orchestrator.invalid>`
 * unless `author` is given; the time is the record's `at` (seconds; now when `at` is not a number).
 */
export function recordSignature(record: OrchestratorRecord, author?: { name: string; email: string }): Signature {
  const at = Number.isFinite(record.at) ? record.at : Date.now();
  return {
    name: author?.name ?? `${record.role} (${record.group})`,
    email: author?.email ?? `${record.session ?? record.role}@orchestrator.invalid`,
    seconds: Math.floor(at / 1000),
  };
}
