// Ref moves that sharing needs beyond appending: fast-forwarding the shared topology ref to what a
// remote has, and moving refs aside into the archive. Our own namespace keeps git's lock protocol
// (compare-and-swap through withRefLock); the archive is written with `git update-ref`.
import { StaleRefError, StoreError } from './errors.js';
import { runGit } from './git.js';
import { NAMESPACE } from './layout.js';
import { commitBody, writeObject, type Signature } from './objects.js';
import { assertRefName } from './refnames.js';
import { listRefs, withRefLock } from './refs.js';

/** Where pruned refs are kept: outside refs/orchestrator/, so readers and syncs skip them, but `git log` still shows them. */
export const ARCHIVE_NAMESPACE = 'refs/orchestrator-archive/';

/** Moves `ref` from `expected` to `next` (a commit already in the repo); StaleRefError when it moved. */
export async function compareAndSwap(gitDir: string, ref: string, expected: string | null, next: string): Promise<void> {
  assertRefName(ref);
  await withRefLock(gitDir, ref, (current) => {
    if (current !== expected) throw new StaleRefError(ref, expected, current);
    return { write: next, result: undefined };
  });
}

/** `refs/orchestrator/<path>` -> `refs/orchestrator-archive/<path>/<stamp>`. */
export function archiveRefFor(ref: string, stamp: number): string {
  if (!ref.startsWith(NAMESPACE)) throw new StoreError('BAD_REF_NAME', `${ref} is not a coordination ref`);
  return `${ARCHIVE_NAMESPACE}${ref.slice(NAMESPACE.length)}/${stamp}`;
}

/** The live ref an archive entry was taken from, and when. */
export function parseArchiveRef(archived: string): { ref: string; stamp: number } | null {
  if (!archived.startsWith(ARCHIVE_NAMESPACE)) return null;
  const rest = archived.slice(ARCHIVE_NAMESPACE.length);
  const slash = rest.lastIndexOf('/');
  const stamp = Number(rest.slice(slash + 1));
  if (slash < 0 || !Number.isFinite(stamp)) return null;
  return { ref: `${NAMESPACE}${rest.slice(0, slash)}`, stamp };
}

export async function listArchive(gitDir: string): Promise<Map<string, string>> {
  return listRefs(gitDir, [ARCHIVE_NAMESPACE]);
}

/** Creates an archive ref (must not exist yet). */
export async function writeArchiveRef(gitDir: string, archived: string, sha: string): Promise<void> {
  if (!archived.startsWith(ARCHIVE_NAMESPACE)) throw new StoreError('BAD_REF_NAME', `${archived} is not an archive ref`);
  await runGit(gitDir, ['update-ref', archived, sha, '']);
}

/** Deletes a ref (live or archived) if it still points at `expected`. */
export async function deleteRefIf(gitDir: string, ref: string, expected: string): Promise<void> {
  await runGit(gitDir, ['update-ref', '-d', ref, expected]);
}

/** A commit with the same message, author and time on new parents: a record copied onto a restarted chain. */
export function recommit(gitDir: string, tree: string, parents: string[], message: string, author: Signature): string {
  return writeObject(gitDir, 'commit', commitBody(tree, parents, author, message));
}

/** Author of a raw commit (name, email, seconds), read from its header; used to copy it faithfully. */
export async function readAuthor(gitDir: string, sha: string): Promise<Signature> {
  const out = await runGit(gitDir, ['show', '-s', '--format=%an%x00%ae%x00%at', sha]);
  const [name = '', email = '', seconds = '0'] = out.trim().split('\0');
  return { name, email, seconds: Number(seconds) };
}
