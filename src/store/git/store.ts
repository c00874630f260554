// The coordination repo as a bare git repo: every record is a commit on a ref under
// refs/orchestrator/. Writes happen in-process (loose objects + git's ref lock protocol, so the git
// CLI can work on the same repo at any time); reads go through one `git cat-file --batch` child;
// transport and the few other operations run the git CLI through ./run.ts.
// Over 300 lines: it is the git side of every member of CoordinationStore (with its checks of
// format, damage and locks); the heavy parts (refs, reader, log, objects, transport, run) are
// already their own files, and what remains is one member each.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { OrchestratorRecord, TopologyChanged } from '../../core/records.js';
import { parseAuthor, parseCommit, treeEntryAt, writableMessage, type StoredCommit } from '../commits.js';
import { StaleRefError, StoreError } from '../errors.js';
import { ARCHIVE_NAMESPACE, incomingNamespace, NAMESPACE, TOPOLOGY_PATH, TOPOLOGY_REF } from '../layout.js';
import { commitBody, EMPTY_TREE, recordSignature, signedCommitBody, treeBody, type Signature } from '../objects.js';
import { assertRefName } from '../refnames.js';
import type {
  AppendOptions, CoordinationStore, FetchResult, LogOptions, PushRefResult, PushUpdate, RecordSigning, RemoteInfo, TransportOptions, TreeEntry, WalkOptions,
} from '../types.js';
import { maxClockOf, walkCommits } from '../walk.js';
import { logCommits } from './log.js';
import { writeObject } from './objects.js';
import { ObjectReader } from './reader.js';
import { changedBetween, listRefs, readRef, RefLister, recoverStaleLocks, withRefLock } from './refs.js';
import { git, gitOk, spawnGcAuto } from './run.js';
import { configureSigning, exportAllowedSigners, moveTrackingRefs, SigningConfig, sshSign, verifyCommits } from './signing.js';
import * as transport from './transport.js';

export interface GitStoreOptions {
  /** Create the bare repo when it is missing (default true). */
  create?: boolean;
  /** Run `git gc --auto` in the background now and then (default true). */
  maintenance?: boolean;
  /** Appends between two background maintenance runs (default 200; tests lower it). */
  maintenanceEvery?: number;
}

/**
 * The settings our background `git gc --auto` runs with, whatever the user's git config says
 * (`-c` beats every config file). Above all `gc.pruneExpire`: a user's `now` there would delete a
 * commit we wrote a moment before its ref moves. The thresholds (`gc.auto`...) stay the user's.
 */
export const MAINTENANCE_CONFIG = [
  'gc.pruneExpire=2.weeks.ago',
  'gc.worktreePruneExpire=3.months.ago',
  'gc.reflogExpire=90.days.ago',
  'gc.reflogExpireUnreachable=30.days.ago',
  'gc.autoDetach=false',
  'core.logAllRefUpdates=false',
];

/** The object format and ref storage the store writes; a repo in another is refused with a hint. */
export const OBJECT_FORMAT = 'sha1';
export const REF_STORAGE = 'files';

/** What `listRefs` lists by default: our refs and remote-tracking copies of other machines'. */
export const DEFAULT_PREFIXES = [NAMESPACE, 'refs/remotes/'];
/** Appends between two background `git gc --auto` runs. */
const MAINTENANCE_EVERY = 200;
/** Parsed commits kept in memory; commits never change, so this cache never needs invalidating. */
const CACHE_SIZE = 2_000;
/** Signed appends whose ref moved while they signed, before one gives up (`REF_LOCKED`). */
const SIGNED_APPEND_ATTEMPTS = 20;

/** Opens (and by default creates) a git coordination store at `gitDir`; see `GitStore.open`. */
export function openGitStore(gitDir: string, options: GitStoreOptions = {}): Promise<GitStore> {
  return GitStore.open(gitDir, options);
}

/** `CoordinationStore` over a bare git repo. `location` is its absolute git dir. */
export class GitStore implements CoordinationStore {
  private readonly reader: ObjectReader;
  private readonly cache = new Map<string, StoredCommit>();
  private readonly clocks = new Map<string, number>();
  private readonly refs: RefLister;
  private sinceMaintenance = 0;
  private damaged = new Map<string, string>();
  private readonly signingConfig: SigningConfig;
  readonly signing: RecordSigning;

  private constructor(
    private readonly gitDir: string,
    private readonly maintenance: boolean,
    private readonly maintenanceEvery: number = MAINTENANCE_EVERY,
  ) {
    this.reader = new ObjectReader(gitDir);
    this.refs = new RefLister(gitDir);
    this.signingConfig = new SigningConfig(gitDir);
    this.signing = this.makeSigning();
  }

  get location(): string {
    return this.gitDir;
  }

  /**
   * Opens the bare repo at `gitDir` (resolved to an absolute path), creating it unless
   * `create: false`. `MISSING_REPO` when absent and not created; `DAMAGED_REPO` when the path is a
   * file, a work tree or a folder that is not a repo; `GIT_FAILED` when `git init` fails.
   */
  static async open(gitDir: string, options: GitStoreOptions = {}): Promise<GitStore> {
    const dir = resolve(gitDir);
    const state = inspect(dir);
    if (state === 'missing' || state === 'empty') {
      if (options.create === false) {
        throw new StoreError(
          'MISSING_REPO',
          `no coordination repo at ${dir}: create it with \`claude-orchestrator init\``,
          { gitDir: dir },
        );
      }
      // Pinned formats: `GIT_DEFAULT_HASH`, `init.defaultObjectFormat` or git 3's defaults
      // (SHA-256, reftable) must not make a repo our in-process writers cannot write.
      await gitOk(null, ['-c', `init.defaultObjectFormat=${OBJECT_FORMAT}`, '-c', `init.defaultRefFormat=${REF_STORAGE}`, 'init', '--bare', '--quiet', `--object-format=${OBJECT_FORMAT}`, dir], {
        env: { GIT_DEFAULT_HASH: OBJECT_FORMAT, GIT_DEFAULT_REF_FORMAT: REF_STORAGE },
      });
      await gitOk({ gitDir: dir }, ['config', 'core.logAllRefUpdates', 'false']);
    } else if (state !== 'repo') {
      const hint = existsSync(join(dir, '.git'))
        ? 'it is a work tree; the coordination repo is a bare repo of its own'
        : 'move it away and run `claude-orchestrator init` to create a fresh one';
      throw new StoreError('DAMAGED_REPO', `${dir} exists but is not a git repository (${state}): ${hint}`, { gitDir: dir });
    }
    checkFormat(dir);
    // Every record commit points at the empty tree; `git fsck` wants the object present.
    // Written only when missing, so a read-only repo still opens.
    if (!hasLooseObject(dir, EMPTY_TREE)) {
      try {
        writeObject(dir, 'tree', Buffer.alloc(0));
      } catch (error) {
        if (!isReadOnlyError(error)) throw error;
      }
    }
    // Ref locks left by writers that died (a killed server's session is never written again, so no
    // writer would meet its lock): removed once stale. Only for writing processes, not the hooks.
    if (options.maintenance !== false) recoverStaleLocks(dir, 'refs');
    return new GitStore(dir, options.maintenance !== false, options.maintenanceEvery ?? MAINTENANCE_EVERY);
  }

  async append(ref: string, records: OrchestratorRecord[], options: AppendOptions = {}): Promise<string[]> {
    assertRefName(ref);
    if (records.length === 0) return [];
    const messages = records.map(writableMessage); // INVALID_RECORD before anything is written
    const key = this.signingConfig.key();
    if (key) return this.appendSigned(ref, records, messages, key, options);
    const build = (base: string | null): string[] => {
      const shas: string[] = [];
      let parent = base;
      let i = 0;
      for (const record of records) {
        const body = commitBody(EMPTY_TREE, parent ? [parent] : [], recordSignature(record, options.author), messages[i++]!);
        parent = writeObject(this.gitDir, 'commit', body);
        shas.push(parent);
      }
      return shas;
    };
    const { expectedTip } = options;
    const conditional = expectedTip !== undefined;
    // Build before locking so the lock is held briefly; if the tip moved meanwhile, rebuild on the
    // new tip while holding the lock (objects are cheap), which also guarantees progress.
    let base = conditional ? expectedTip : readRef(this.gitDir, ref);
    let shas = build(base);
    const written = await withRefLock(this.gitDir, ref, (current): { write?: string; result: string[] | null } => {
      // Signing was turned on since this append began: sign instead (`configure` relies on it).
      if (this.signingConfig.key()) return { result: null };
      if (current !== base) {
        if (conditional) throw new StaleRefError(ref, expectedTip, current);
        base = current;
        shas = build(current);
      }
      return { write: shas[shas.length - 1], result: shas };
    });
    if (written === null) return this.appendSigned(ref, records, messages, this.signingConfig.key()!, options);
    this.countWrites(records.length);
    return written;
  }

  /**
   * `append` with every commit signed by `key`. Signing runs ssh-keygen (milliseconds), so the
   * chain is built and signed before the ref lock is taken; if the tip moved meanwhile, the lock is
   * released and the chain built again on the new tip.
   */
  private async appendSigned(ref: string, records: OrchestratorRecord[], messages: string[], key: string, options: AppendOptions): Promise<string[]> {
    const { expectedTip } = options;
    const conditional = expectedTip !== undefined;
    let base = conditional ? expectedTip : readRef(this.gitDir, ref);
    for (let attempt = 0; attempt < SIGNED_APPEND_ATTEMPTS; attempt++) {
      const shas: string[] = [];
      let parent = base;
      for (let i = 0; i < records.length; i++) {
        parent = await this.writeCommit(EMPTY_TREE, parent ? [parent] : [], recordSignature(records[i]!, options.author), messages[i]!, key);
        shas.push(parent);
      }
      const built = base;
      const written = await withRefLock(this.gitDir, ref, (current): { write?: string; result: string[] | string | null } => {
        if (current === built) return { write: shas[shas.length - 1], result: shas };
        if (conditional) throw new StaleRefError(ref, expectedTip, current);
        return { result: current };
      });
      if (Array.isArray(written)) {
        this.countWrites(records.length);
        return written;
      }
      base = written;
    }
    throw new StoreError('REF_LOCKED', `${ref} kept moving while records were signed for it; try again`, { ref });
  }

  /** Writes a commit object, signed with `key` when given (a `gpgsig` header, as `git commit -S`); its SHA. */
  private async writeCommit(tree: string, parents: string[], author: Signature, message: string, key: string | null): Promise<string> {
    const body = commitBody(tree, parents, author, message);
    return writeObject(this.gitDir, 'commit', key ? signedCommitBody(body, await sshSign(key, body)) : body);
  }

  async compareAndSwap(ref: string, expected: string | null, next: string): Promise<void> {
    assertRefName(ref);
    await withRefLock(this.gitDir, ref, (current) => {
      if (current !== expected) throw new StaleRefError(ref, expected, current);
      return { write: next, result: undefined };
    });
  }

  async readRef(ref: string): Promise<string | null> {
    return readRef(this.gitDir, ref);
  }

  /** Loose refs merged over packed-refs, as git reads them; from the last listing when no ref folder changed. */
  async listRefs(prefixes: string[] = DEFAULT_PREFIXES): Promise<ReadonlyMap<string, string>> {
    const bad = new Map<string, string>();
    const refs = this.refs.list(prefixes, bad);
    this.damaged = bad;
    return refs;
  }

  /** Listings over the same packed refs differ only in their loose refs (`RefListing`). */
  changedRefs(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Set<string> | null {
    return changedBetween(before, after);
  }

  damagedRefs(): Map<string, string> {
    return new Map(this.damaged);
  }

  async deleteRef(ref: string, expected: string): Promise<void> {
    if (!ref.startsWith(ARCHIVE_NAMESPACE)) assertRefName(ref);
    // The git CLI: a ref may live in packed-refs too, and git rewrites that file under its own lock.
    const run = await git({ gitDir: this.gitDir }, ['update-ref', '-d', ref, expected]);
    if (run.code === 0) return;
    const actual = readRef(this.gitDir, ref);
    if (actual !== expected) throw new StaleRefError(ref, expected, actual);
    throw new StoreError('GIT_FAILED', `git update-ref -d ${ref} failed: ${run.stderr.trim()}`, { ref, stderr: run.stderr });
  }

  walk(tip: string, options: WalkOptions = {}): Promise<StoredCommit[]> {
    return walkCommits((sha) => this.readCommit(sha), tip, options);
  }

  log(include: string[], options: LogOptions, onCommit: (commit: StoredCommit) => boolean | void): Promise<number> {
    return logCommits(this.gitDir, include, options, onCommit);
  }

  async readCommit(sha: string): Promise<StoredCommit> {
    const cached = this.cache.get(sha);
    if (cached) return cached;
    const commit = parseCommit(sha, await this.readObject(sha, 'commit'));
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(sha, commit);
    return commit;
  }

  async readBlob(sha: string): Promise<Buffer> {
    return this.readObject(sha, 'blob');
  }

  async readTreeEntry(commitSha: string, path: string): Promise<TreeEntry | null> {
    return treeEntryAt((await this.readCommit(commitSha)).tree, path, (sha) => this.readObject(sha, 'tree'));
  }

  async readTopology(): Promise<{ sha: string; text: string } | null> {
    const sha = readRef(this.gitDir, TOPOLOGY_REF);
    if (!sha) return null;
    const entry = await this.readTreeEntry(sha, TOPOLOGY_PATH);
    if (!entry || entry.type !== 'blob') {
      throw new StoreError(
        'MISSING_TOPOLOGY_FILE',
        `${TOPOLOGY_REF} (${sha}) has no ${TOPOLOGY_PATH}: commit a topology again (e.g. \`claude-orchestrator init\`)`,
        { sha },
      );
    }
    return { sha, text: (await this.readBlob(entry.sha)).toString('utf8') };
  }

  async commitTopology(text: string, record: TopologyChanged, expectedTip: string | null, extraParents: string[] = []): Promise<string> {
    const blob = writeObject(this.gitDir, 'blob', Buffer.from(text, 'utf8'));
    const tree = writeObject(this.gitDir, 'tree', treeBody([{ name: TOPOLOGY_PATH, blob }]));
    const parents = [...new Set([...(expectedTip ? [expectedTip] : []), ...extraParents])];
    const commit = await this.writeCommit(tree, parents, recordSignature(record), writableMessage(record), this.signingConfig.key());
    await withRefLock(this.gitDir, TOPOLOGY_REF, (current) => {
      if (current !== expectedTip) throw new StaleRefError(TOPOLOGY_REF, expectedTip, current);
      return { write: commit, result: commit };
    });
    this.countWrites(1);
    return commit;
  }

  async maxClock(): Promise<number> {
    return maxClockOf((await this.listRefs()).values(), (sha) => this.readCommit(sha), this.clocks);
  }

  // ---- archive ----

  async listArchive(): Promise<Map<string, string>> {
    return listRefs(this.gitDir, [ARCHIVE_NAMESPACE]);
  }

  async writeArchiveRef(archived: string, sha: string): Promise<void> {
    if (!archived.startsWith(ARCHIVE_NAMESPACE)) throw new StoreError('BAD_REF_NAME', `${archived} is not an archive ref`, { ref: archived });
    // `git update-ref <ref> <new> ''`: create only, under git's lock.
    const run = await git({ gitDir: this.gitDir }, ['update-ref', archived, sha, '']);
    if (run.code === 0) return;
    const actual = readRef(this.gitDir, archived);
    if (actual !== null) throw new StaleRefError(archived, null, actual);
    throw new StoreError('GIT_FAILED', `git update-ref ${archived} failed: ${run.stderr.trim()}`, { ref: archived, stderr: run.stderr });
  }

  async recommit(tree: string, parents: string[], message: string, author: Signature): Promise<string> {
    return this.writeCommit(tree, parents, author, message, this.signingConfig.key());
  }

  async readAuthor(sha: string): Promise<Signature> {
    return parseAuthor(await this.readObject(sha, 'commit'));
  }

  // ---- remotes ----

  listRemotes(): Promise<RemoteInfo[]> {
    return transport.listRemotes(this.gitDir);
  }

  addRemote(name: string, url: string): Promise<string> {
    return transport.addRemote(this.gitDir, name, url);
  }

  removeRemote(name: string): Promise<void> {
    return transport.removeRemote(this.gitDir, name);
  }

  fetch(remote: string, options?: TransportOptions): Promise<FetchResult> {
    return transport.fetchRemote(this.gitDir, remote, options);
  }

  push(remote: string, patterns: string[], updates: PushUpdate[], options?: TransportOptions): Promise<PushRefResult[]> {
    return transport.pushRefs(this.gitDir, remote, patterns, updates, options);
  }

  isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return transport.isAncestor(this.gitDir, ancestor, descendant);
  }

  mergeBase(a: string, b: string): Promise<string | null> {
    return transport.mergeBase(this.gitDir, a, b);
  }

  maintain(): void {
    this.runMaintenance();
  }

  private makeSigning(): RecordSigning {
    const gitDir = this.gitDir;
    return {
      signingKey: () => this.signingConfig.key(),
      configure: async (key) => {
        await configureSigning(gitDir, key);
        if (!key) return;
        // Settle: take and release the lock of every ref once. An append that read the old setting
        // has either moved its ref by now, or checks the setting again under the lock and signs;
        // so after this, the tips a caller reads hold every unsigned record there will be.
        for (const ref of (await this.listRefs([NAMESPACE])).keys()) {
          await withRefLock(gitDir, ref, () => ({ result: undefined }));
        }
      },
      sign: (key, payload) => sshSign(key, payload),
      exportAllowedSigners: (text) => exportAllowedSigners(gitDir, text),
      fetchIncoming: (remote, options) => transport.fetchRemote(gitDir, remote, options, incomingNamespace(remote)),
      verify: (include, exclude, allowedSigners) =>
        verifyCommits(gitDir, include, exclude, allowedSigners, async (sha) => {
          const object = await this.reader.read(sha);
          return object?.type === 'commit' ? object.body : null;
        }),
      moveTracking: (moves) => moveTrackingRefs(gitDir, moves),
      commitFiles: async (ref, files, record, expectedTip, extraParents = []) => {
        assertRefName(ref);
        const key = this.signingConfig.key();
        if (!key) throw new StoreError('SIGN_FAILED', `${ref} takes only signed commits and this repo has no signing key`, { ref }, 'run `claude-orchestrator signing enable --key <file>` first');
        const entries = Object.entries(files).map(([name, text]) => ({ name, blob: writeObject(gitDir, 'blob', Buffer.from(text, 'utf8')) }));
        const tree = writeObject(gitDir, 'tree', treeBody(entries));
        const parents = [...new Set([...(expectedTip ? [expectedTip] : []), ...extraParents])];
        const commit = await this.writeCommit(tree, parents, recordSignature(record), writableMessage(record), key);
        await withRefLock(gitDir, ref, (current) => {
          if (current !== expectedTip) throw new StaleRefError(ref, expectedTip, current);
          return { write: commit, result: commit };
        });
        this.countWrites(1);
        return commit;
      },
    };
  }

  close(): void {
    this.reader.close();
    if (this.sinceMaintenance > 0) this.runMaintenance();
  }

  private async readObject(sha: string, type: string): Promise<Buffer> {
    const object = await this.reader.read(sha);
    if (!object) throw new StoreError('MISSING_OBJECT', `object ${sha} is not in ${this.gitDir}: run \`git --git-dir=${this.gitDir} fsck\``, { sha });
    if (object.type !== type) throw new StoreError('BAD_OBJECT', `object ${sha} is a ${object.type}, not a ${type}`, { sha });
    return object.body;
  }

  private countWrites(count: number): void {
    this.sinceMaintenance += count;
    if (this.sinceMaintenance >= this.maintenanceEvery) this.runMaintenance();
  }

  /**
   * Packs loose objects and refs off the hot path; git's own ref locks keep it safe next to our CAS,
   * and the pinned settings (`MAINTENANCE_CONFIG`) keep it from pruning objects younger than two weeks.
   */
  private runMaintenance(): void {
    this.sinceMaintenance = 0;
    if (this.maintenance) spawnGcAuto(this.gitDir, MAINTENANCE_CONFIG);
  }
}

/** `DAMAGED_REPO` with what to do when the repo uses another object format or ref storage than ours. */
function checkFormat(dir: string): void {
  let config = '';
  try {
    config = readFileSync(join(dir, 'config'), 'utf8');
  } catch {
    return; // no config: git's defaults of old, SHA-1 and files
  }
  const value = (key: string) => new RegExp(`^\\s*${key}\\s*=\\s*(\\S+)`, 'im').exec(config)?.[1]?.toLowerCase();
  const objects = value('objectformat') ?? OBJECT_FORMAT;
  const refs = value('refstorage') ?? REF_STORAGE;
  if (objects === OBJECT_FORMAT && refs === REF_STORAGE) return;
  const what = objects !== OBJECT_FORMAT ? `${objects} objects` : `${refs} ref storage`;
  throw new StoreError(
    'WRONG_FORMAT',
    `${dir} uses ${what}; claude-orchestrator writes ${OBJECT_FORMAT} objects and ${REF_STORAGE} refs: ` +
      'move it away, run `claude-orchestrator init` to create a fresh one, then `claude-orchestrator sync` to fetch the shared records again',
    { gitDir: dir, objectFormat: objects, refStorage: refs },
  );
}

function hasLooseObject(dir: string, sha: string): boolean {
  return existsSync(join(dir, 'objects', sha.slice(0, 2), sha.slice(2)));
}

/** A file system that refuses writes: the repo is on a read-only mount or not ours to write. */
export function isReadOnlyError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EROFS' || code === 'EACCES' || code === 'EPERM';
}

function inspect(dir: string): 'missing' | 'empty' | 'repo' | string {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    return 'missing';
  }
  if (!stat.isDirectory()) return 'a file, not a folder';
  if (readdirSync(dir).length === 0) return 'empty';
  const has = (name: string, dirWanted: boolean) => {
    try {
      return statSync(join(dir, name)).isDirectory() === dirWanted;
    } catch {
      return false;
    }
  };
  if (has('HEAD', false) && has('objects', true) && has('refs', true)) return 'repo';
  return 'no HEAD, objects/ and refs/';
}
