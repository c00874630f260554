// Runs the git CLI (no shell) for the few operations not done in-process: init, config, deletion, gc.
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { StoreError } from './errors.js';

/**
 * Variables a git hook or a parent git process exports that would point our git at the member
 * repo instead of the coordination repo (the list `git rev-parse --local-env-vars` prints).
 */
const LOCAL_REPO_ENV = [
  'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_CONFIG', 'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT',
  'GIT_OBJECT_DIRECTORY', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_IMPLICIT_WORK_TREE', 'GIT_GRAFT_FILE',
  'GIT_INDEX_FILE', 'GIT_NO_REPLACE_OBJECTS', 'GIT_REPLACE_REF_BASE', 'GIT_PREFIX',
  'GIT_INTERNAL_SUPER_PREFIX', 'GIT_SHALLOW_FILE', 'GIT_COMMON_DIR', 'GIT_QUARANTINE_PATH',
];

export function gitEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of LOCAL_REPO_ENV) delete env[name];
  return env;
}

/** `git --git-dir=<gitDir> <args>`; gitDir null runs plain `git <args>`. Resolves with stdout. */
export function runGit(gitDir: string | null, args: string[]): Promise<string> {
  const argv = gitDir === null ? args : [`--git-dir=${gitDir}`, ...args];
  return new Promise((resolve, reject) => {
    execFile('git', argv, { env: gitEnv(), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const status = (error as { code?: unknown }).code;
      const why = typeof status === 'number' ? `exit ${status}` : String(status ?? error.message);
      reject(
        new StoreError('GIT_FAILED', `git ${argv.join(' ')} failed (${why}): ${stderr.trim() || error.message}`, {
          args: argv,
          stderr,
        }),
      );
    });
  });
}

/** Starts a long-lived git child with pipes (the object reader). */
export function spawnGit(gitDir: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn('git', [`--git-dir=${gitDir}`, ...args], { env: gitEnv(), ...options });
}

/** Fire and forget: a detached git that never keeps this process alive and whose failure is harmless. */
export function spawnGitDetached(gitDir: string, args: string[]): void {
  try {
    const child = spawn('git', [`--git-dir=${gitDir}`, ...args], { env: gitEnv(), detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // Maintenance is best effort; the next trigger tries again.
  }
}
