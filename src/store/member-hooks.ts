// Where git looks for a member repo's hooks: the settings the hook installer needs, in one git call.
import { execFile } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { gitEnv } from './git.js';
import { canonical } from './member-log.js';

export interface HookSettings {
  /** The worktree's top folder. */
  toplevel: string;
  /** Shared git dir: its `hooks/` serves every worktree. */
  commonDir: string;
  /** `core.hooksPath`, absolute, when set. */
  hooksPath: string | null;
}

export function readHookSettings(repo: string): Promise<HookSettings> {
  return new Promise((resolvePromise, reject) => {
    // `rev-parse` prints the paths, then `--git-path` honours hooksPath; config is read separately below.
    execFile(
      'git',
      ['-C', repo, 'rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir'],
      { env: gitEnv() },
      (error, stdout) => {
        if (error) return reject(new Error(`${repo} is not a git worktree: ${error.message.trim()}`));
        const [toplevel, commonDir] = stdout.trim().split('\n') as [string, string];
        execFile('git', ['-C', repo, 'config', '--get', 'core.hooksPath'], { env: gitEnv() }, (_e, out) => {
          const raw = out.trim();
          const hooksPath = raw ? (isAbsolute(raw) ? raw : resolve(toplevel, raw)) : null;
          resolvePromise({ toplevel: canonical(toplevel), commonDir: canonical(commonDir), hooksPath });
        });
      },
    );
  });
}
