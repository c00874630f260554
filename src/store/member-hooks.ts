// Where git looks for a member repo's hooks: the settings the hook installer needs, in one git call.
import { StoreError } from './errors.js';
import { isAbsolute, resolve } from 'node:path';
import { git } from './git/run.js';
import { canonical } from './member-log.js';

export interface HookSettings {
  /** The worktree's top folder. */
  toplevel: string;
  /** Shared git dir: its `hooks/` serves every worktree. */
  commonDir: string;
  /** `core.hooksPath`, absolute, when set. */
  hooksPath: string | null;
}

/** Where the repo's hooks live. Errors: StoreError NOT_A_WORKTREE when `repo` is not in a git worktree. */
export async function readHookSettings(repo: string): Promise<HookSettings> {
  // `rev-parse` prints the paths; `core.hooksPath` is read separately below.
  const paths = await git({ cwd: repo }, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir']);
  if (paths.code !== 0) {
    throw new StoreError('NOT_A_WORKTREE', `${repo} is not a git worktree`, { repo, git: paths.stderr.trim() }, 'run `git init` there, or name the repo\'s folder');
  }
  const [toplevel, commonDir] = paths.stdout.trim().split('\n') as [string, string];
  const raw = (await git({ cwd: repo }, ['config', '--get', 'core.hooksPath'])).stdout.trim();
  const hooksPath = raw ? (isAbsolute(raw) ? raw : resolve(toplevel, raw)) : null;
  return { toplevel: canonical(toplevel), commonDir: canonical(commonDir), hooksPath };
}
