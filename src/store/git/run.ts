// The one way this project runs the git CLI (no shell but two small fixed scripts that take
// their input as arguments): short commands with their output (`git`, `gitOk`), long-lived
// children with pipes (`spawnGit`), and fire-and-forget maintenance (`spawnGcAuto`). Every git
// process of the coordination repo and of member repos starts here, with the same environment rules.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
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
  /** Variables set for this command on top of `gitEnv`. */
  env?: Record<string, string>;
  /**
   * Long-running network commands (fetch, push): git and its helpers (`git-remote-http`, ssh) end
   * when this process ends, even by SIGKILL (`watchOverGit`). Costs one `sh` per command.
   */
  dieWithUs?: boolean;
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

/** git's own default for `gc.auto` (loose objects, estimated from objects/17/): the store's bound when the user's config turns it off. */
export const GC_AUTO_DEFAULT = 6_700;

/** After a timeout's SIGTERM, how long git gets to remove its lock files before SIGKILL (ms). */
const KILL_GRACE_MS = 2_000;
/** Process groups of running git commands started with a timeout: ended when this process exits. */
const liveGroups = new Set<number>();
let exitHooked = false;

function endGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/**
 * Runs git and resolves with its exit code and output; never rejects (a failed start is code -1).
 * With `timeoutMs`, git runs in a process group of its own (unless interactive: it would lose the
 * terminal it prompts on) and a timeout ends the whole group, transport helpers and ssh included:
 * SIGTERM first, so git removes its `.lock` files, then SIGKILL after a grace. Groups still running
 * when this process exits are ended with it.
 */
export function git(where: GitWhere, args: string[], options: GitCallOptions = {}): Promise<GitRun> {
  const full = argv(where, args);
  const interactive = options.interactive ?? true;
  const group = options.timeoutMs !== undefined && !interactive;
  const maxBuffer = options.maxBuffer ?? 256 * 1024 * 1024;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn('git', full, { env: { ...gitEnv(interactive), ...options.env }, detached: group, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ code: -1, stdout: '', stderr: (error as Error).message, timedOut: false });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let timedOut = false;
    let overflow = false;
    let timer: NodeJS.Timeout | undefined;
    let killer: NodeJS.Timeout | undefined;
    const stop = (signal: NodeJS.Signals) => {
      if (group && child.pid) endGroup(child.pid, signal);
      else child.kill(signal);
    };
    const watcher = options.dieWithUs && child.pid ? watchOverGit(child.pid, group) : null;
    if (group && child.pid) {
      liveGroups.add(child.pid);
      if (!exitHooked) {
        exitHooked = true;
        process.on('exit', () => {
          for (const pid of liveGroups) endGroup(pid, 'SIGTERM');
        });
      }
    }
    if (options.timeoutMs) {
      timer = setTimeout(() => {
        timedOut = true;
        stop('SIGTERM');
        killer = setTimeout(() => stop('SIGKILL'), KILL_GRACE_MS);
      }, options.timeoutMs);
    }
    child.stdout!.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxBuffer) {
        overflow = true;
        stop('SIGKILL');
      } else out.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    let failed: Error | null = null;
    child.on('error', (error) => {
      failed = error;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killer);
      watcher?.done();
      if (child.pid) liveGroups.delete(child.pid);
      // The group may outlive git itself (a helper it left behind): end it when git timed out.
      if (group && timedOut && child.pid) endGroup(child.pid, 'SIGKILL');
      const stdout = Buffer.concat(out).toString('utf8');
      let stderr = Buffer.concat(err).toString('utf8');
      if (failed) stderr ||= failed.message;
      if (overflow) stderr += `\noutput larger than ${maxBuffer} bytes`;
      if (signal && !stderr) stderr = `killed by ${signal}`;
      resolve({ code: code === 0 && !overflow ? 0 : typeof code === 'number' && code !== 0 ? code : -1, stdout, stderr, timedOut });
    });
    child.stdin!.on('error', () => {}); // reported through the exit code
    child.stdin!.end(options.input ?? '');
  });
}

/**
 * The watcher's script: `$1` git's pid, `$2` `group` (git leads a process group of its own) or
 * `tree` (git and its descendants). A line on stdin means git is done; the end of stdin without
 * one means the process that started git is gone: SIGTERM first, so git removes its `.lock`
 * files, then SIGKILL after 2 s for what is left.
 */
const WATCHER = [
  'read -r _ && exit 0',
  'if [ "$2" = group ]; then set -- "-$1"',
  'else set -- $(ps -A -o pid= -o ppid= 2>/dev/null | awk -v root="$1" \'{ up[$1] = $2 } END { for (p in up) { q = p; n = 0; while (q != root && q in up && n++ < 64) q = up[q]; if (q == root) print p } }\')',
  'fi',
  '[ $# -gt 0 ] || exit 0',
  'kill -TERM "$@" 2>/dev/null || exit 0',
  'sleep 2',
  'kill -KILL "$@" 2>/dev/null',
].join('\n');

/**
 * Starts a watcher that ends git (`pid`) with its helpers if this process dies first, SIGKILL
 * included: a small `sh` in a process group of its own (a kill of our group spares it) that reads
 * a pipe only this process writes; the kernel closes the pipe when we die, however we die.
 * `group`: git leads its own process group, ended whole; else git's process tree is ended (git
 * shares our terminal's group). `done()` tells the watcher git finished (it then exits at once).
 * `setpriv --pdeathsig` would only reach git itself, not the helpers it starts.
 */
function watchOverGit(pid: number, group: boolean): { done(): void } {
  let watcher: ChildProcess;
  try {
    watcher = spawn('sh', ['-c', WATCHER, 'claude-orchestrator-watch', String(pid), group ? 'group' : 'tree'], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
  } catch {
    return { done() {} };
  }
  watcher.on('error', () => {});
  watcher.stdin!.on('error', () => {});
  watcher.unref();
  (watcher.stdin as unknown as { unref?: () => void }).unref?.();
  return {
    done() {
      watcher.stdin!.end('done\n');
    },
  };
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
  // git's own `error:`/`fatal:` lines say why; a fetch prints its ref summary after them.
  const errors = lines.filter((l) => /^(error|fatal): /.test(l));
  return (errors.length ? errors : lines).slice(-count).join(' / ') || 'no message';
}

/** Starts a long-lived git child with pipes (the object reader, streamed `git log`). */
export function spawnGit(where: GitWhere, args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn('git', argv(where, args), { env: gitEnv(), ...options });
}

/**
 * `git gc --auto` in the background, fire and forget (detached, its output dropped; maintenance
 * is best effort: the next trigger tries again), with `config` passed as `-c` and a
 * loose-object bound of our own when the user's config switches it off: `gc.auto=0` (or a
 * value that is not a count) becomes GC_AUTO_DEFAULT, so the store's loose objects never pile up
 * unpacked; a positive `gc.auto` stays the user's. The config is read by the background shell,
 * not by us: this costs the caller one spawn.
 */
export function spawnGcAuto(gitDir: string, config: string[]): void {
  const script = [
    'd=$1; shift',
    'n=$(git "$d" config --get gc.auto 2>/dev/null)',
    `case "$n" in ''|*[!0-9]*|0) n=${GC_AUTO_DEFAULT} ;; esac`,
    'exec git "$d" -c "gc.auto=$n" "$@" gc --auto --quiet',
  ].join('\n');
  try {
    const child = spawn('sh', ['-c', script, 'claude-orchestrator-gc', `--git-dir=${gitDir}`, ...config.flatMap((c) => ['-c', c])], { env: gitEnv(), detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // Maintenance is best effort; the next trigger tries again.
  }
}
