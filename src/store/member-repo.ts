// Reads of a member repo's git state, for query_project_state. One git call, never a write.
import { execFile } from 'node:child_process';

export interface MemberGitState {
  branch: string | null;
  head: string | null;
  dirty: boolean | null;
}

const UNKNOWN: MemberGitState = { branch: null, head: null, dirty: null };

/** Branch, HEAD and whether tracked files are modified; nulls when the repo can't be read. */
export function readMemberGitState(path: string): Promise<MemberGitState> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', path, 'status', '--porcelain=v2', '--branch', '--untracked-files=no'],
      { timeout: 5000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout) => {
        if (error) return resolve(UNKNOWN);
        let branch: string | null = null;
        let head: string | null = null;
        let dirty = false;
        for (const line of stdout.split('\n')) {
          if (line.startsWith('# branch.oid ')) head = line.slice(13) === '(initial)' ? null : line.slice(13);
          else if (line.startsWith('# branch.head ')) branch = line.slice(14) === '(detached)' ? null : line.slice(14);
          else if (line && !line.startsWith('#')) dirty = true;
        }
        resolve({ branch, head, dirty });
      },
    );
  });
}
