// Reads of a member repo's git state, for query_project_state. One git call, never a write.
import { git } from './git/run.js';

export interface MemberGitState {
  branch: string | null;
  head: string | null;
  dirty: boolean | null;
}

const UNKNOWN: MemberGitState = { branch: null, head: null, dirty: null };

/** Branch, HEAD and whether tracked files are modified; nulls when the repo can't be read. */
export async function readMemberGitState(path: string): Promise<MemberGitState> {
  const run = await git({ cwd: path }, ['status', '--porcelain=v2', '--branch', '--untracked-files=no'], { timeoutMs: 5000, maxBuffer: 4 * 1024 * 1024 });
  if (run.code !== 0) return UNKNOWN;
  let branch: string | null = null;
  let head: string | null = null;
  let dirty = false;
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith('# branch.oid ')) head = line.slice(13) === '(initial)' ? null : line.slice(13);
    else if (line.startsWith('# branch.head ')) branch = line.slice(14) === '(detached)' ? null : line.slice(14);
    else if (line && !line.startsWith('#')) dirty = true;
  }
  return { branch, head, dirty };
}
