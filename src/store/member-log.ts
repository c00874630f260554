// Read-only access to a member repo's git data for commit ingestion: where its git dirs are,
// its worktrees' HEAD reflogs (read as files: no process), and the commits they name (one git call).
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { git } from './git/run.js';

export interface GitDirs {
  /** Git dir of the worktree at the path (`.git`, or `.git/worktrees/<id>` for a linked one). */
  gitDir: string;
  /** Shared by every worktree of the repo: objects, refs, hooks, our state. */
  commonDir: string;
}

/** The git dirs of a repo's worktree root, found on the file system; null when it is not one. */
export function findGitDirs(worktreeRoot: string): GitDirs | null {
  const dotGit = join(worktreeRoot, '.git');
  let gitDir: string;
  try {
    if (statSync(dotGit).isDirectory()) gitDir = dotGit;
    else {
      const line = readFileSync(dotGit, 'utf8').trim();
      if (!line.startsWith('gitdir:')) return null;
      const target = line.slice(7).trim();
      gitDir = isAbsolute(target) ? target : resolve(worktreeRoot, target);
    }
  } catch {
    return null;
  }
  let commonDir = gitDir;
  try {
    const common = readFileSync(join(gitDir, 'commondir'), 'utf8').trim();
    commonDir = isAbsolute(common) ? common : resolve(gitDir, common);
  } catch {
    // No commondir file: this is the main worktree's git dir.
  }
  return { gitDir: canonical(gitDir), commonDir: canonical(commonDir) };
}

export function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** The directory where the orchestrator keeps its per-repo files (poke, lock, install time). */
export function stateDirOf(commonDir: string): string {
  return join(commonDir, 'orchestrator');
}

export interface WorktreeLog {
  /** `main` for the main worktree, else the id under `<common-dir>/worktrees/`. */
  worktree: string;
  file: string;
}

/** Every worktree's HEAD reflog file, main first; linked worktrees listed from the file system. */
export function listWorktreeLogs(commonDir: string): WorktreeLog[] {
  const logs: WorktreeLog[] = [{ worktree: 'main', file: join(commonDir, 'logs', 'HEAD') }];
  let ids: string[] = [];
  try {
    ids = readdirSync(join(commonDir, 'worktrees')).sort();
  } catch {
    // No linked worktrees.
  }
  for (const id of ids) logs.push({ worktree: id, file: join(commonDir, 'worktrees', id, 'logs', 'HEAD') });
  return logs;
}

export interface ReflogEntry {
  oldSha: string;
  newSha: string;
  /** Seconds since the epoch, as git wrote it. */
  time: number;
  /** `commit: subject`, `checkout: moving from a to b`... */
  message: string;
  /** Stable identity of the line, kept as the ingestion cursor. */
  id: string;
}

/** Entries of a reflog file, oldest first; an absent file has none. */
export function readReflog(file: string): ReflogEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: ReflogEntry[] = [];
  for (const line of text.split('\n')) {
    // <old> <new> <name> <<email>> <seconds> <tz>\t<message>
    const tab = line.indexOf('\t');
    const head = tab < 0 ? line : line.slice(0, tab);
    const match = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64}) .*> (\d+) [+-]\d{4}$/.exec(head);
    if (!match) continue;
    const [, oldSha, newSha, seconds] = match as unknown as [string, string, string, string];
    const time = Number(seconds);
    out.push({ oldSha, newSha, time, message: tab < 0 ? '' : line.slice(tab + 1), id: `${newSha} ${oldSha.slice(0, 12)} ${time}` });
  }
  return out;
}

export interface CommitInfo {
  sha: string;
  author: string;
  /** Full message. */
  message: string;
  /** Changed files; a merge's are those against its first parent. */
  files: string[];
}

/**
 * The commits named, with their files, in one `git log --no-walk` call. Missing commits (pruned
 * since the reflog named them) are left out rather than failing the batch.
 */
export async function readCommits(commonDir: string, shas: readonly string[]): Promise<Map<string, CommitInfo>> {
  const out = new Map<string, CommitInfo>();
  if (shas.length === 0) return out;
  const args = [
    'log', '--no-walk=unsorted', '--ignore-missing', '-m', '--first-parent', '--name-only', '-z',
    '--no-renames', '--format=%x1e%H%x1f%an <%ae>%x1f%B%x1f', '--stdin',
  ];
  const run = await git({ gitDir: commonDir }, args, { input: `${[...new Set(shas)].join('\n')}\n` });
  if (run.code !== 0) throw new Error(`git log in ${commonDir} failed: ${run.stderr.trim()}`);
  for (const chunk of run.stdout.split('\x1e')) {
    const parts = chunk.split('\x1f');
    if (parts.length < 4) continue;
    const [sha, author, message, rest] = parts as [string, string, string, string];
    const files = rest.split('\0').map((f) => f.replace(/^\n/, '')).filter((f) => f.length > 0);
    if (!out.has(sha)) out.set(sha, { sha, author, message: message.trim(), files });
  }
  return out;
}
