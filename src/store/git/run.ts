// The one way this project runs the git CLI (no shell): short commands with their output
// (`git`, `gitOk`), long-lived children with pipes (`spawnGit`), and fire-and-forget maintenance
// (`spawnGitDetached`). Every git process of the coordination repo and of member repos starts here,
// with the same environment rules.
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { StoreError } from '../errors.js';

/**
 * Variables a git hook or a parent git process exports that would point our git at another repo
 * than the one we name (the list `git rev-parse --local-env-vars` prints).
 */
const LOCAL_REPO_ENV = [
  'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_CONFIG', 'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT',
  'GIT_OBJECT_DIRECTORY', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_IMPLICIT_WORK_TREE', 'GIT_GRAFT_FILE',
  'GIT_INDEX_FILE', 'GIT_NO_REPLACE_OBJECTS', 'GIT_REPLACE_REF_BASE', 'GIT_PREFIX',
  'GIT_INTERNAL_SUPER_PREFIX', 'GIT_SHALLOW_FILE', 'GIT_COMMON_DIR', 'GIT_QUARANTINE_PATH',
];

/** Which repo a git command works on. */
export type GitWhere =
  /** `git --git-dir=<gitDir>`: a bare repo or a git dir (the coordination repo, a member's common dir). */
  | { gitDir: string }
  /** `git -C <cwd>`: a member repo's worktree. */
  | { cwd: string }
  /** Plain `git` (init, merge-file). */
  | null;

export interface GitCallOptions {
  /** Kills git after this long, in ms (default: no limit). */
  timeoutMs?: number;
  /**
   * False (background work): git never prompts; a missing credential or an unknown ssh host key
   * fails at once instead of hanging on a terminal nobody watches. Default true.
   */
  interactive?: boolean;
  /** Written to git's stdin, then closed. */
  input?: string;
  /** Largest stdout kept, in bytes (default 256 MiB). */
  maxBuffer?: number;
}

/** What a finished git command left: exit code (-1 when it could not start), output, timeout. */
export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Killed by the timeout. */
  timedOut: boolean;
}

/** The environment every git child gets: ours minus the variables that would redirect it. */
export function gitEnv(interactive = true): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of LOCAL_REPO_ENV) delete env[name];
  if (!interactive) {
    env.GIT_TERMINAL_PROMPT = '0';
    env.GCM_INTERACTIVE = 'never';
    if (!env.GIT_SSH_COMMAND && !env.GIT_SSH) env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
  }
  return env;
}

function argv(where: GitWhere, args: string[]): string[] {
  if (where === null) return args;
  return 'gitDir' in where ? [`--git-dir=${where.gitDir}`, ...args] : ['-C', where.cwd, ...args];
}

/** Runs git and resolves with its exit code and output; never rejects (a failed start is code -1). */
export function git(where: GitWhere, args: string[], options: GitCallOptions = {}): Promise<GitRun> {
  const full = argv(where, args);
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      full,
      {
        env: gitEnv(options.interactive ?? true),
        maxBuffer: options.maxBuffer ?? 256 * 1024 * 1024,
        ...(options.timeoutMs ? { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr, timedOut: false });
        const e = error as { code?: unknown; killed?: boolean; signal?: string | null };
        const timedOut = options.timeoutMs !== undefined && e.killed === true && e.signal === 'SIGKILL';
        resolve({ code: typeof e.code === 'number' ? e.code : -1, stdout: String(stdout ?? ''), stderr: String(stderr ?? '') || error.message, timedOut });
      },
    );
    if (options.input !== undefined) {
      child.stdin?.on('error', () => {}); // reported through the exit code
      child.stdin?.end(options.input);
    }
  });
}

/** Runs git and resolves with stdout; rejects with StoreError `GIT_FAILED` (args, stderr in `data`) on a non-zero exit. */
export async function gitOk(where: GitWhere, args: string[], options: GitCallOptions = {}): Promise<string> {
  const run = await git(where, args, options);
  if (run.code === 0) return run.stdout;
  throw gitFailed(argv(where, args), run);
}

/** The StoreError for a failed run: what ran, how it ended, the last lines git printed. */
export function gitFailed(args: string[], run: GitRun): StoreError {
  const why = run.timedOut ? 'timed out' : `exit ${run.code}`;
  return new StoreError('GIT_FAILED', `git ${args.join(' ')} failed (${why}): ${lastLines(run.stderr)}`, { args, stderr: run.stderr });
}

/** The last few meaningful lines of git's stderr: enough to say why, short enough for a tool result. */
export function lastLines(text: string, count = 3): string {
  const lines = text
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l && !/^(remote: )?(Counting|Compressing|Writing|Receiving|Resolving|Enumerating|Total)\b/.test(l));
  return lines.slice(-count).join(' / ') || 'no message';
}

/** Starts a long-lived git child with pipes (the object reader, streamed `git log`). */
export function spawnGit(where: GitWhere, args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn('git', argv(where, args), { env: gitEnv(), ...options });
}

/** Fire and forget: a detached git that never keeps this process alive and whose failure is harmless. */
export function spawnGitDetached(where: GitWhere, args: string[]): void {
  try {
    const child = spawn('git', argv(where, args), { env: gitEnv(), detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // Maintenance is best effort; the next trigger tries again.
  }
}
