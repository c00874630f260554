// Following a member repo's commits without a git hook: where commit ingestion starts, and what
// tells a follower to look again. A server serving a session calls `startFollowing` once; from
// then on each change of `reflogStamp` means "ingest now" (src/watch/head-follower.ts).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findGitDirs, listWorktreeLogs, readInstalled, readReflog, stateDirOf, writeInstalled } from '../store/index.js';

/** Marks the fingerprint of our post-commit hook (src/git-hooks/install.ts writes it). */
const HOOK_MARK = 'claude-orchestrator-mcp post-commit hook';

/** Whether our post-commit hook is installed in the repo on this machine (directly or chained). */
export function hookInstalled(repoPath: string): boolean {
  const dirs = findGitDirs(repoPath);
  if (!dirs) return false;
  if (existsSync(join(stateDirOf(dirs.commonDir), 'post-commit'))) return true;
  try {
    return readFileSync(join(dirs.commonDir, 'hooks', 'post-commit'), 'utf8').includes(HOOK_MARK);
  } catch {
    return false;
  }
}

/**
 * Makes commit ingestion start now in a repo that never had hooks (each worktree's reflog
 * position, as `hooks install` records it); a repo that has a start keeps it. Returns the git
 * common dir, or null when the path is not a git repo.
 */
export function startFollowing(repoPath: string, now: number): string | null {
  const dirs = findGitDirs(repoPath);
  if (!dirs) return null;
  if (readInstalled(dirs.commonDir) === null) {
    const marks = new Map<string, string>();
    for (const log of listWorktreeLogs(dirs.commonDir)) {
      const last = readReflog(log.file).pop();
      if (last) marks.set(log.worktree, last.id);
    }
    writeInstalled(dirs.commonDir, { at: now, marks });
  }
  return dirs.commonDir;
}

/** Size and time of every worktree's HEAD reflog, as one string: it changes on each commit. */
export function reflogStamp(commonDir: string): string {
  return listWorktreeLogs(commonDir)
    .map((log) => {
      try {
        const st = statSync(log.file);
        return `${log.worktree}:${st.size}:${st.mtimeMs}`;
      } catch {
        return `${log.worktree}:-`;
      }
    })
    .join('|');
}

/**
 * What a record naming this process as a session's owner says of commit following: a process
 * that serves repos (the MCP server, which has an `owned` listener) follows their commits itself.
 * The latest such record names the owner, so registrations and heartbeats both carry it.
 */
export function followsCommits(ctx: { listeners: { owned?: unknown } }): { commits?: 'server' } {
  return ctx.listeners.owned ? { commits: 'server' } : {};
}
