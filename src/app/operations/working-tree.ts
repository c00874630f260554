// A member repo's working tree as git sees it, for the working-tree watcher: the files changed
// and not committed, and what .gitignore hides. Read-only, one git call each.
import { dirtyFiles, ignoredPaths } from '../../store/index.js';

/** Repo-relative paths of uncommitted changes (tracked and untracked, not ignored). */
export function uncommittedFiles(repo: string): Promise<string[]> {
  return dirtyFiles(repo);
}

/** Repo-relative paths .gitignore hides (folders end with `/`), for the watcher to skip. */
export function gitIgnoredPaths(repo: string): Promise<string[]> {
  return ignoredPaths(repo);
}
