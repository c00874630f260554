// Signed records, the git side: the signing key this machine configured (git's own settings in
// the coordination repo's config, never shared), signing a commit with `ssh-keygen -Y sign`,
// verifying fetched commits in one `git log` with git's SSH verification, and moving
// remote-tracking refs only to verified tips. Formats: git-config(1) (gpg.format, user.signingKey,
// gpg.ssh.allowedSignersFile), ssh-keygen(1) (`-Y sign`, ALLOWED SIGNERS), git-log(1) (`%G?`).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreError } from '../errors.js';
import { NAMESPACE } from '../layout.js';
import { refNameProblem } from '../refnames.js';
import { decide, SignerIndex } from '../sshsig.js';
import type { CommitVerdict, TrackingMove } from '../types.js';
import { git, gitOk, lastLines } from './run.js';

/** The copy of the allowed-signers list git reads for hand checks (`git verify-commit`), in the git dir. */
export const ALLOWED_SIGNERS_FILE = 'orchestrator-allowed-signers';

/** How long one `ssh-keygen -Y sign` may take before it is killed (ms): a key that prompts never answers. */
const SIGN_TIMEOUT_MS = 20_000;

/**
 * git's settings that pin SSH verification to the list we pass, whatever the user's config says
 * (`-c` beats every config file): the format, the program, and no `log.showSignature` output.
 */
function verifyConfig(allowedSignersFile: string): string[] {
  return ['gpg.format=ssh', 'gpg.ssh.program=ssh-keygen', `gpg.ssh.allowedSignersFile=${allowedSignersFile}`, 'log.showSignature=false'].flatMap((c) => ['-c', c]);
}

/**
 * The signing key configured in the repo's own config file (`user.signingKey` with
 * `gpg.format = ssh`, what `git commit -S` reads), or null. Read from the file, not through git,
 * so a writer can check it before every append for the cost of a `stat`. Global and system config
 * are not consulted: signing records is a choice made for this coordination repo.
 */
export class SigningConfig {
  private seen: { key: string; value: string | null } | null = null;

  constructor(private readonly gitDir: string) {}

  /** The key's path, or null when this repo does not sign. */
  key(): string | null {
    const file = join(this.gitDir, 'config');
    let stamp: string;
    try {
      const stat = statSync(file);
      stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return null;
    }
    if (this.seen?.key === stamp) return this.seen.value;
    let value: string | null = null;
    try {
      const config = parseGitConfig(readFileSync(file, 'utf8'));
      if (config.get('gpg.format')?.toLowerCase() === 'ssh') value = config.get('user.signingkey') || null;
    } catch {
      value = null;
    }
    this.seen = { key: stamp, value };
    return value;
  }
}

/**
 * The last value of each `section.key` (lower case; subsections kept as written) of a git config
 * file, for the few plain settings we read; values unquoted (git-config(1), "Syntax").
 */
export function parseGitConfig(text: string): Map<string, string> {
  const values = new Map<string, string>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(line);
    if (header) {
      section = header[2] !== undefined ? `${header[1]!.toLowerCase()}.${header[2]}` : header[1]!.toLowerCase();
      continue;
    }
    const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!entry || !section) continue;
    values.set(`${section}.${entry[1]!.toLowerCase()}`, unquote(entry[2] ?? 'true'));
  }
  return values;
}

function unquote(value: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && i + 1 < value.length) {
      const n = value[++i]!;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else if (!quoted && (c === '#' || c === ';')) break;
    else out += c;
  }
  return quoted ? out : out.trim();
}

/**
 * Sets (or with `key: null` unsets) this repo's signing settings, git's own names, so a hand
 * `git commit -S` or `git verify-commit` in the coordination repo does what the store does:
 * `gpg.format = ssh`, `user.signingKey = <key>`, `gpg.ssh.allowedSignersFile = <git dir>/orchestrator-allowed-signers`.
 * `GIT_FAILED` when git cannot write the config.
 */
export async function configureSigning(gitDir: string, key: string | null): Promise<void> {
  if (key === null) {
    const run = await git({ gitDir }, ['config', '--unset', 'user.signingKey']);
    if (run.code !== 0 && run.code !== 5) throw new StoreError('GIT_FAILED', `git config --unset user.signingKey failed: ${lastLines(run.stderr)}`);
    return;
  }
  await gitOk({ gitDir }, ['config', 'gpg.format', 'ssh']);
  await gitOk({ gitDir }, ['config', 'gpg.ssh.allowedSignersFile', join(gitDir, ALLOWED_SIGNERS_FILE)]);
  await gitOk({ gitDir }, ['config', 'user.signingKey', key]);
}

/** Writes the copy of the allowed-signers list git's hand checks read (`gpg.ssh.allowedSignersFile`). */
export function exportAllowedSigners(gitDir: string, text: string): void {
  writeFileSync(join(gitDir, ALLOWED_SIGNERS_FILE), text, { mode: 0o644 });
}

/**
 * `ssh-keygen -Y sign -n git -f <key>` over `payload` (stdin) and the armored signature it prints:
 * what git runs for `git commit -S` with `gpg.format = ssh`. `key` is a private key file, or a
 * `.pub` file whose private key is beside it or held by the ssh-agent (`SSH_AUTH_SOCK`).
 * `SIGN_FAILED` (with ssh-keygen's words) when the key cannot be read, needs a passphrase nobody
 * can type, or ssh-keygen is missing.
 */
export function sshSign(key: string, payload: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) =>
      reject(new StoreError('SIGN_FAILED', `signing a record with ${key} failed: ${why}`, { key }, signFailureHint(key, why)));
    let child;
    try {
      // No terminal: a passphrase prompt would wait forever; stdin is the payload.
      child = spawn('ssh-keygen', ['-q', '-Y', 'sign', '-n', 'git', '-f', key], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    } catch (error) {
      fail((error as Error).message);
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), SIGN_TIMEOUT_MS);
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error.message);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const signature = Buffer.concat(out).toString('utf8');
      if (code === 0 && signature.includes('-----BEGIN SSH SIGNATURE-----')) resolve(signature);
      else fail(lastLines(Buffer.concat(err).toString('utf8')) + (signal ? ` (killed by ${signal})` : ` (exit ${code})`));
    });
    child.stdin!.on('error', () => {});
    child.stdin!.end(payload);
  });
}

/**
 * What to do when `ssh-keygen -Y sign` failed with `why` (its words). A key with a passphrase
 * signs only through an ssh-agent that holds it: ssh-keygen asks the agent at `SSH_AUTH_SOCK`
 * first, and nobody can type a passphrase for the servers and hooks that write records.
 */
export function signFailureHint(key: string, why: string): string {
  const check = '`claude-orchestrator signing status` shows whether the key this machine is set to sign with works';
  if (/passphrase/i.test(why)) {
    const agent = process.env.SSH_AUTH_SOCK ? 'the ssh-agent at SSH_AUTH_SOCK does not hold it' : 'this process sees no ssh-agent (SSH_AUTH_SOCK is not set)';
    return `the key has a passphrase and ${agent}: load it into ssh-agent with \`ssh-add ${key}\` in the session whose SSH_AUTH_SOCK the servers, hooks and CLI inherit, or use a key without a passphrase (ssh-keygen -t ed25519 -N '' -f <file>, then \`claude-orchestrator signing enable --key <file>\`); ${check}`;
  }
  return `check the key (${check}), or point signing at another key with \`claude-orchestrator signing enable --key <file>\``;
}

/** A commit's raw object, as stored (the store's `git cat-file --batch` reader), or null when absent. */
export type RawCommitReader = (sha: string) => Promise<Buffer | null>;

/** Raw commits read at once from the reader (its requests are pipelined). */
const READ_BATCH = 256;

/**
 * Verifies every commit reachable from `include` and not from `exclude` (SHAs this repo lacks are
 * ignored) against `allowedSigners` (the list's text), as git's SSH verification would: verdicts
 * newest first (`git rev-list --topo-order`), each with git's `%G?` (G good, B bad, U good
 * signature of a key not in the list, N none, E cannot be checked, X/Y/R expired or revoked), the
 * key's fingerprint (`%GF`) and principal (`%GS`). With `readRaw`, Ed25519 signatures of plainly
 * listed keys are checked in-process (src/store/sshsig.ts); the rest, or everything without it,
 * by one `git log` with `gpg.format=ssh` and the list as `gpg.ssh.allowedSignersFile` (git runs
 * `ssh-keygen -Y find-principals` and `-Y verify` per signed commit). `GIT_FAILED` when git fails.
 */
export async function verifyCommits(
  gitDir: string,
  include: string[],
  exclude: string[],
  allowedSigners: string,
  readRaw?: RawCommitReader,
): Promise<CommitVerdict[]> {
  if (include.length === 0) return [];
  const revs = `${include.join('\n')}\n${exclude.map((sha) => `^${sha}`).join('\n')}\n`;
  const listed = await git({ gitDir }, ['rev-list', '--topo-order', '--parents', '--ignore-missing', '--stdin'], { input: revs });
  if (listed.code !== 0) throw new StoreError('GIT_FAILED', `git rev-list failed (exit ${listed.code}): ${lastLines(listed.stderr)}`, { stderr: listed.stderr });
  const order = listed.stdout.split('\n').filter(Boolean).map((line) => line.split(' '));
  const verdicts = new Map<string, CommitVerdict>();
  const undecided: string[] = [];
  if (readRaw) {
    const signers = new SignerIndex(allowedSigners);
    for (let i = 0; i < order.length; i += READ_BATCH) {
      const batch = order.slice(i, i + READ_BATCH);
      const bodies = await Promise.all(batch.map(([sha]) => readRaw(sha!)));
      batch.forEach(([sha, ...parents], j) => {
        const body = bodies[j];
        const decision = body ? decide(body, signers) : null;
        if (decision) verdicts.set(sha!, { sha: sha!, parents, ...decision });
        else undecided.push(sha!);
      });
    }
  } else undecided.push(...order.map(([sha]) => sha!));
  for (const verdict of await verifyWithGit(gitDir, undecided, allowedSigners)) verdicts.set(verdict.sha, verdict);
  return order.map(([sha]) => verdicts.get(sha!)).filter((v): v is CommitVerdict => v !== undefined);
}

/** git's own verdicts on exactly these commits (`git log --no-walk`). */
async function verifyWithGit(gitDir: string, shas: string[], allowedSigners: string): Promise<CommitVerdict[]> {
  if (shas.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-signers-'));
  try {
    const file = join(dir, 'allowed_signers');
    writeFileSync(file, allowedSigners);
    const run = await git(
      { gitDir },
      [...verifyConfig(file), 'log', '-z', '--no-walk=unsorted', '--format=%H%x1f%P%x1f%G?%x1f%GF%x1f%GS', '--stdin'],
      { input: `${shas.join('\n')}\n` },
    );
    if (run.code !== 0) throw new StoreError('GIT_FAILED', `git log (signature check) failed (exit ${run.code}): ${lastLines(run.stderr)}`, { stderr: run.stderr });
    return run.stdout
      .split('\0')
      .filter((entry) => entry.trim())
      .map((entry) => {
        const [sha, parents, status, fingerprint, principal] = entry.replace(/^\n/, '').split('\x1f');
        return {
          sha: sha!,
          parents: (parents ?? '').split(' ').filter(Boolean),
          status: (status ?? 'E').trim() || 'E',
          fingerprint: fingerprint?.trim() || null,
          principal: principal?.trim() || null,
        };
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Moves remote-tracking refs (`refs/remotes/<remote>/orchestrator/...`) in one `git update-ref
 * --stdin` transaction, each from the value it is expected to have: all move or none
 * (git-update-ref(1), `--stdin`). `BAD_REF_NAME` for a ref outside that namespace; `GIT_FAILED`
 * (with git's words) when a ref was not at its expected value.
 */
export async function moveTrackingRefs(gitDir: string, moves: TrackingMove[]): Promise<void> {
  if (moves.length === 0) return;
  const zero = '0'.repeat(40);
  const lines = ['start'];
  for (const move of moves) {
    const local = move.ref.replace(/^refs\/remotes\/[^/]+\/orchestrator\//, NAMESPACE);
    const problem = local === move.ref ? 'is not a remote-tracking coordination ref' : refNameProblem(local);
    if (problem) throw new StoreError('BAD_REF_NAME', `ref name ${JSON.stringify(move.ref)} ${problem}`, { ref: move.ref });
    if (move.next === null) lines.push(`delete ${move.ref}${move.expected ? ` ${move.expected}` : ''}`);
    else lines.push(`update ${move.ref} ${move.next} ${move.expected ?? zero}`);
  }
  lines.push('commit');
  const run = await git({ gitDir }, ['update-ref', '--stdin'], { input: `${lines.join('\n')}\n` });
  if (run.code !== 0) throw new StoreError('GIT_FAILED', `git update-ref --stdin failed: ${lastLines(run.stderr)}`, { stderr: run.stderr });
}
