// Sharing the coordination repo through an ordinary git remote. All transport goes through the
// git CLI, so ssh, https, file paths and the user's credential helpers work as they do for code
// (isomorphic-git speaks only HTTP). The store stays the only code that talks to git.
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertName } from '../../core/names.js';
import { StoreError } from '../errors.js';
import { incomingNamespace, NAMESPACE, remoteNamespace } from '../layout.js';
import type { FetchResult, PushRefResult, PushUpdate, RemoteInfo, TransportOptions, TextMerge } from '../types.js';
import { recoverStaleLocks, STALE_LOCK_MS } from './refs.js';
import { git as runGit, lastLines, type GitRun, type GitWhere } from './run.js';

/** Every transport command is killed after this long unless told otherwise (ms). */
const DEFAULT_TIMEOUT_MS = 120_000;

function git(where: GitWhere, args: string[], options: TransportOptions & { dieWithUs?: boolean } = {}): Promise<GitRun> {
  return runGit(where, args, { timeoutMs: DEFAULT_TIMEOUT_MS, ...options });
}

async function gitOk(where: GitWhere, args: string[], options: TransportOptions = {}): Promise<string> {
  const run = await git(where, args, options);
  if (run.code === 0) return run.stdout;
  throw new StoreError('GIT_FAILED', `git ${args.join(' ')} failed${run.timedOut ? ' (timed out)' : ` (exit ${run.code})`}: ${lastLines(run.stderr)}`, {
    args,
    stderr: run.stderr,
  });
}

/** What `git fetch` maps a remote's coordination refs to: never written by anything else. */
export function fetchRefspec(remote: string, into: string = remoteNamespace(remote)): string {
  return `+${NAMESPACE}*:${into}*`;
}

// ---- remotes ---------------------------------------------------------------------------------

export async function listRemotes(gitDir: string): Promise<RemoteInfo[]> {
  const run = await git({ gitDir }, ['config', '--get-regexp', '^remote\\..*\\.url$']);
  if (run.code === 1) return []; // no remote at all
  if (run.code !== 0) throw new StoreError('GIT_FAILED', `git config failed: ${lastLines(run.stderr)}`);
  const remotes: RemoteInfo[] = [];
  for (const line of run.stdout.split('\n')) {
    const match = /^remote\.(.+)\.url (.*)$/.exec(line);
    if (match) remotes.push({ name: match[1]!, url: match[2]! });
  }
  return remotes;
}

/**
 * `git remote add`, then only the coordination refs are fetched (into their own namespace) and
 * no tags: a plain `git fetch <name>` in the coordination repo does what `sync` does. Returns the
 * URL as stored: a local path is stored absolute (`~/` expanded), since git resolves a relative
 * one against the folder of each later fetch or push, which a server's background sync does not
 * share with the `remote add` that named it.
 */
export async function addRemote(gitDir: string, name: string, url: string): Promise<string> {
  assertName('remote', name);
  if ((await listRemotes(gitDir)).some((r) => r.name === name)) {
    throw new StoreError('GIT_FAILED', `a remote named ${name} already exists: remove it first (claude-orchestrator remote remove ${name})`);
  }
  const stored = localRemotePath(url) ?? url;
  await gitOk({ gitDir }, ['remote', 'add', '--no-tags', name, stored]);
  await gitOk({ gitDir }, ['config', '--replace-all', `remote.${name}.fetch`, fetchRefspec(name)]);
  return stored;
}

/**
 * The absolute path of a remote URL that names a repo on this disk, or null for a remote
 * elsewhere. git's rule (`git help clone`, "GIT URLS"): `<scheme>://` is a URL (`file://` a local
 * one); otherwise a colon before the first slash makes it scp-like (`host:path`); anything else
 * is a path. `~/` is this user's home, as the shell would have it.
 */
export function localRemotePath(url: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    if (!url.startsWith('file://')) return null;
    try {
      return fileURLToPath(url);
    } catch {
      return null; // file://<host>/...: another host's path, or one git alone can read
    }
  }
  if (/^[^/]*:/.test(url)) return null;
  if (url === '~' || url.startsWith('~/')) return join(homedir(), url.slice(1));
  return resolve(url);
}

export async function removeRemote(gitDir: string, name: string): Promise<void> {
  assertName('remote', name);
  await gitOk({ gitDir }, ['remote', 'remove', name]);
  // What a checking sync fetched and held back (signed records): git does not know those refs.
  const held = (await gitOk({ gitDir }, ['for-each-ref', '--format=%(refname)', incomingNamespace(name)])).split('\n').filter(Boolean);
  if (held.length === 0) return;
  const run = await runGit({ gitDir }, ['update-ref', '--stdin'], { input: held.map((ref) => `delete ${ref}\n`).join('') });
  if (run.code !== 0) throw new StoreError('GIT_FAILED', `removing the held refs of ${name} failed: ${lastLines(run.stderr)}`, { stderr: run.stderr });
}

// ---- transport -------------------------------------------------------------------------------

/**
 * Fetches every coordination ref of the remote into `refs/remotes/<remote>/orchestrator/` (or
 * `into`, a namespace ending in `/`: where signed records are held until verified), pruning copies of refs the remote no longer has. Interrupting it leaves no half-moved ref:
 * git writes the pack first, then each ref with its own lock.
 */
export async function fetchRemote(gitDir: string, remote: string, options: TransportOptions = {}, into?: string): Promise<FetchResult> {
  const tracking = into ?? `refs/remotes/${assertName('remote', remote)}/`;
  // A fetch or push killed earlier may have left git's lock files: git never removes them itself.
  recoverStaleLocks(gitDir, tracking);
  // (`fetch --porcelain` needs git 2.41; the summary lines on stderr are stable enough to count.)
  // `--refmap=` (with `into`): git would otherwise also move the configured remote-tracking refs
  // ("configured remote-tracking branches", git-fetch(1)), past the verification they wait for.
  const refmap = into ? ['--refmap='] : [];
  const args = ['fetch', '--no-tags', '--prune', '--no-write-fetch-head', '--no-auto-gc', ...refmap, remote, fetchRefspec(remote, into)];
  const fetch = () => git({ gitDir }, args, { ...options, dieWithUs: true });
  let run = await fetch();
  // A copy of the remote's ref damaged on this disk (a file of garbage) makes git refuse the whole
  // fetch ("reference broken"), for good. Copies are ours to drop: the fetch brings them back.
  if (run.code !== 0 && removeBrokenCopies(gitDir, tracking, run.stderr)) run = await fetch();
  // A lock on one of these refs: held by another git process (a `git fetch` by hand), or left a
  // moment ago by a sync killed outright, not yet old enough to count as stale. Fetching is
  // idempotent: again, until the lock is released or stale (STALE_LOCK_MS) and removed.
  for (let retry = 1; run.code !== 0 && REF_LOCKED.test(run.stderr) && retry <= FETCH_LOCK_RETRIES; retry++) {
    await new Promise((r) => setTimeout(r, FETCH_LOCK_PAUSE_MS));
    recoverStaleLocks(gitDir, tracking);
    run = await fetch();
  }
  if (run.code !== 0) {
    throw new StoreError('GIT_FAILED', `git fetch ${remote} failed${run.timedOut ? ' (timed out)' : ` (exit ${run.code})`}: ${lastLines(run.stderr)}`, {
      stderr: run.stderr,
    });
  }
  return { updated: run.stderr.split('\n').filter((l) => l.includes(' -> ')).length };
}

/** git's words for a ref whose lock another process holds (refs/files-backend.c, lockfile.c). */
const REF_LOCKED = /cannot lock ref|Unable to create '[^']*\.lock'/;
/** Fetches again after a held ref lock, FETCH_LOCK_PAUSE_MS (ms) apart: past STALE_LOCK_MS in all. */
const FETCH_LOCK_PAUSE_MS = 1_000;
const FETCH_LOCK_RETRIES = Math.ceil(STALE_LOCK_MS / FETCH_LOCK_PAUSE_MS) + 1;

/**
 * Removes the loose ref files under `prefix` that git's `stderr` names as broken ("unable to
 * resolve reference '<ref>': reference broken", "fatal: bad object <ref>"). True when any was removed.
 */
function removeBrokenCopies(gitDir: string, prefix: string, stderr: string): boolean {
  let removed = false;
  // git 2.39 says either, depending on whether the remote still has the ref.
  for (const match of stderr.matchAll(/unable to resolve reference '([^']+)': reference broken|fatal: bad object (refs\/\S+)/g)) {
    const ref = (match[1] ?? match[2])!;
    if (!ref.startsWith(prefix) || ref.split('/').includes('..')) continue;
    try {
      unlinkSync(join(gitDir, ref));
      removed = true;
    } catch {
      // Packed, or gone already: nothing of ours to remove.
    }
  }
  return removed;
}

/**
 * One `git push --porcelain` with explicit refspecs and/or patterns. Non-forced updates must be
 * fast-forwards; forced ones carry a lease. Per-ref results, so a race on one shared ref does
 * not hide that the others went through.
 */
export async function pushRefs(
  gitDir: string,
  remote: string,
  patterns: string[],
  updates: PushUpdate[],
  options: TransportOptions = {},
): Promise<PushRefResult[]> {
  const args = ['push', '--porcelain', '--no-verify', remote];
  for (const u of updates) {
    if (u.force) args.push(`--force-with-lease=${u.dst}:${u.force.lease ?? ''}`);
  }
  args.push(...patterns);
  for (const u of updates) args.push(`${u.force ? '+' : ''}${u.src ?? ''}:${u.dst}`);
  if (args.length === 4) return [];
  recoverStaleLocks(gitDir, `refs/remotes/${assertName('remote', remote)}/`);
  await recoverLocalRemoteLocks(gitDir, remote);
  const run = await git({ gitDir }, args, { ...options, dieWithUs: true });
  const results: PushRefResult[] = [];
  for (const line of run.stdout.split('\n')) {
    // "<flag>\t<from>:<to>\t<summary> (<reason>)"
    const match = /^([ +\-*=!])\t([^\t]*):([^\t]*)\t(.*)$/.exec(line);
    if (!match) continue;
    const flag = match[1]!;
    const status = flag === '=' ? 'up-to-date' : flag === '!' ? (/rejected|stale|fetch first|non-fast-forward/.test(match[4]!) ? 'rejected' : 'error') : 'ok';
    results.push({ dst: match[3]!, status, detail: match[4]! });
  }
  if (run.code !== 0 && results.every((r) => r.status !== 'rejected' && r.status !== 'error')) {
    // Nothing per ref: the remote could not be reached, or refused the whole push.
    throw new StoreError('GIT_FAILED', `git push ${remote} failed${run.timedOut ? ' (timed out)' : ` (exit ${run.code})`}: ${lastLines(run.stderr)}`, {
      stderr: run.stderr,
    });
  }
  return results;
}

/**
 * A remote that is a repo on this disk (a path or file:// URL): stale `.lock` files under its
 * `refs/orchestrator/` and its packed-refs are removed, as for our own refs (`recoverStaleLocks`,
 * by age). A push killed on this machine leaves them there, where git never removes them and
 * every later push of that ref fails "failed to update ref". A remote on another host is left to
 * its owner: the sync's error then says what to remove.
 */
async function recoverLocalRemoteLocks(gitDir: string, remote: string): Promise<void> {
  const url = (await git({ gitDir }, ['config', '--get', `remote.${remote}.url`])).stdout.trim();
  // A relative path (added before paths were stored absolute) means nothing from here: skipped.
  const path = url && (url.startsWith('file://') || url.startsWith('~') || isAbsolute(url)) ? localRemotePath(url) : null;
  if (!path) return;
  for (const dir of [path, join(path, '.git')]) {
    if (existsSync(join(dir, 'refs', 'orchestrator'))) {
      recoverStaleLocks(dir, 'refs/orchestrator/');
      return;
    }
  }
}

// ---- history questions -------------------------------------------------------------------------

/** Whether `ancestor` is reachable from `descendant` (equal counts as reachable). */
export async function isAncestor(gitDir: string, ancestor: string, descendant: string): Promise<boolean> {
  if (ancestor === descendant) return true;
  const run = await git({ gitDir }, ['merge-base', '--is-ancestor', ancestor, descendant]);
  if (run.code === 0) return true;
  if (run.code === 1) return false;
  throw new StoreError('GIT_FAILED', `git merge-base --is-ancestor failed: ${lastLines(run.stderr)}`);
}

export async function mergeBase(gitDir: string, a: string, b: string): Promise<string | null> {
  const run = await git({ gitDir }, ['merge-base', a, b]);
  if (run.code === 0) return run.stdout.trim() || null;
  if (run.code === 1) return null; // unrelated histories
  throw new StoreError('GIT_FAILED', `git merge-base failed: ${lastLines(run.stderr)}`);
}

/** Line-based three-way merge of three texts with `git merge-file` (diff3 markers on conflict). */
export async function mergeTexts(ours: string, base: string, theirs: string, labels: [string, string, string]): Promise<TextMerge> {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-merge-'));
  try {
    const files = ['ours', 'base', 'theirs'].map((name, i) => {
      const path = join(dir, name);
      writeFileSync(path, [ours, base, theirs][i]!);
      return path;
    });
    const run = await git(null, ['merge-file', '-p', '--diff3', '-L', labels[0], '-L', labels[1], '-L', labels[2], ...files]);
    if (run.code < 0 || run.code > 127) throw new StoreError('GIT_FAILED', `git merge-file failed: ${lastLines(run.stderr)}`);
    return { text: run.stdout, conflicts: run.code };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `git fsck` of a repo: the problems it prints (empty when clean). */
export async function fsck(gitDir: string): Promise<string[]> {
  const run = await git({ gitDir }, ['fsck', '--no-progress', '--no-dangling']);
  const problems = `${run.stdout}\n${run.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
  if (run.code !== 0 && problems.length === 0) problems.push(`git fsck exited with ${run.code}`);
  return run.code === 0 ? problems.filter((l) => !/^(Checking|notice)/.test(l)) : problems;
}
