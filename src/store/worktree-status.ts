// The working tree of a member repo as git sees it: uncommitted files, and what .gitignore hides.
import { gitOk } from './git/run.js';

/** stdout of `git -C <repo> <args>`; StoreError `GIT_FAILED` when git fails. */
function gitIn(repo: string, args: string[]): Promise<string> {
  return gitOk({ cwd: repo }, args);
}

/** Files with uncommitted changes (staged, unstaged, untracked), sorted; one `git status` call. */
export async function dirtyFiles(repo: string): Promise<string[]> {
  const out = await gitIn(repo, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames']);
  const files = new Set<string>();
  for (const entry of out.split('\0')) {
    // `XY path`; renames are off, so every entry is exactly one path.
    if (entry.length > 3) files.add(entry.slice(3));
  }
  return [...files].sort();
}

/**
 * Ignored paths, relative to the repo, directories ending in `/` (one entry for a whole ignored
 * directory, so a huge build folder costs one line). Read once when a watcher starts.
 */
export async function ignoredPaths(repo: string): Promise<string[]> {
  const out = await gitIn(repo, ['ls-files', '--others', '--ignored', '--exclude-standard', '--directory', '-z']);
  return out.split('\0').filter((p) => p.length > 0);
}
