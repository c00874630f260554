// Read-only reads of a member repo for contract diffs: a file's text at a commit (or in the
// working tree) with its size checked before it is read, what a commit changed with renames, and
// whether the repo's tracked files mention a name. Nothing here writes, and nothing runs code
// from the repo: git reads objects, `git grep` searches text.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { git } from './git/run.js';

/** git's empty tree: the "parent" of a root commit. */
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** A file's text at one revision, or why there is none. */
export type BlobRead =
  | { state: 'text'; text: string; bytes: number }
  /** No such file at that revision (added or deleted there, or no such commit). */
  | { state: 'missing' }
  /** Larger than the limit: not read. */
  | { state: 'too-large'; bytes: number };

/** One file changed by a commit against its first parent (`oldPath` set for a rename). */
export interface ChangedPath {
  status: 'added' | 'deleted' | 'modified' | 'renamed';
  path: string;
  oldPath?: string;
}

/**
 * What `sha` changed against its first parent (`parent`; null for a root commit, compared with
 * the empty tree), with renames detected among `paths` (git's default similarity, 50%). Only
 * `paths` are listed; an unreadable commit lists none.
 */
export async function changedPaths(commonDir: string, sha: string, paths: readonly string[]): Promise<{ parent: string | null; changes: ChangedPath[] }> {
  const parentRun = await git({ gitDir: commonDir }, ['rev-parse', '--verify', '-q', `${sha}^1^{commit}`], { timeoutMs: 5000, interactive: false });
  const parent = parentRun.code === 0 ? parentRun.stdout.trim() : null;
  if (paths.length === 0) return { parent, changes: [] };
  const base = parent ?? EMPTY_TREE;
  const run = await git({ gitDir: commonDir }, ['diff', '--no-ext-diff', '--no-textconv', '-M', '--name-status', '-z', base, sha, '--', ...paths.map((p) => `:(literal)${p}`)], {
    timeoutMs: 10_000,
    interactive: false,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.code !== 0) return { parent, changes: [] };
  const parts = run.stdout.split('\0');
  const out: ChangedPath[] = [];
  for (let i = 0; i < parts.length; ) {
    const status = parts[i++] ?? '';
    if (!status) continue;
    if (status.startsWith('R') || status.startsWith('C')) {
      const oldPath = parts[i++] ?? '';
      const path = parts[i++] ?? '';
      if (status.startsWith('R')) out.push({ status: 'renamed', path, oldPath });
      else out.push({ status: 'added', path });
    } else {
      const path = parts[i++] ?? '';
      out.push({ status: status === 'A' ? 'added' : status === 'D' ? 'deleted' : 'modified', path });
    }
  }
  return { parent, changes: out };
}

/**
 * Texts of files at revisions (`{rev, path}`: `rev` a commit SHA, or `<sha>^1` for its first
 * parent), each read only when its size is at most `maxBytes`. One `git cat-file --batch-check`
 * for every size, then one `git cat-file blob` per file read. Results in input order.
 */
export async function readBlobsAt(commonDir: string, items: ReadonlyArray<{ rev: string; path: string }>, maxBytes: number): Promise<BlobRead[]> {
  if (items.length === 0) return [];
  const names = items.map((i) => `${i.rev}:${i.path}`);
  const check = await git({ gitDir: commonDir }, ['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'], {
    input: `${names.join('\n')}\n`,
    timeoutMs: 10_000,
    interactive: false,
  });
  const lines = check.code === 0 ? check.stdout.split('\n') : [];
  const out: BlobRead[] = [];
  for (let i = 0; i < items.length; i++) {
    const match = /^([0-9a-f]{40,64}) blob (\d+)$/.exec(lines[i] ?? '');
    if (!match) {
      out.push({ state: 'missing' });
      continue;
    }
    const bytes = Number(match[2]);
    if (bytes > maxBytes) {
      out.push({ state: 'too-large', bytes });
      continue;
    }
    const blob = await git({ gitDir: commonDir }, ['cat-file', 'blob', match[1]!], { timeoutMs: 10_000, interactive: false, maxBuffer: maxBytes + 1024 });
    out.push(blob.code === 0 ? { state: 'text', text: blob.stdout, bytes } : { state: 'missing' });
  }
  return out;
}

/** A working-tree file's text, read only when at most `maxBytes`; `path` is relative to the repo root and may not leave it. */
export function readWorktreeFile(repoRoot: string, path: string, maxBytes: number): BlobRead {
  const relative = normalize(path);
  if (isAbsolute(relative) || relative.startsWith('..')) return { state: 'missing' };
  const file = join(repoRoot, relative);
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return { state: 'missing' };
    if (stat.size > maxBytes) return { state: 'too-large', bytes: stat.size };
    return { state: 'text', text: readFileSync(file, 'utf8'), bytes: stat.size };
  } catch {
    return { state: 'missing' };
  }
}

/** The commit HEAD names in a worktree, or null (no commits yet, not a repo). */
export async function headCommit(repoRoot: string): Promise<string | null> {
  const run = await git({ cwd: repoRoot }, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'], { timeoutMs: 5000, interactive: false });
  return run.code === 0 ? run.stdout.trim() : null;
}

/**
 * Which of `names` occur as whole words in the tracked text files of the worktree at
 * `repoRoot` (`git grep -q -w -F -I`, one call per name, each at most `timeoutMs`). A cheap
 * "does this repo use it": a mention is counted, imports are not told apart. Unreadable
 * repos and timed-out searches count as not mentioning.
 */
export async function namesMentioned(repoRoot: string, names: readonly string[], timeoutMs = 3000): Promise<string[]> {
  const found: string[] = [];
  for (const name of names) {
    const run = await git({ cwd: repoRoot }, ['grep', '-q', '-w', '-F', '-I', '--no-color', '-e', name], { timeoutMs, interactive: false, maxBuffer: 64 * 1024 });
    if (run.code === 0) found.push(name);
  }
  return found;
}
