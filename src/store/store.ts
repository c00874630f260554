// The coordination repo as a record store: every record is a commit on a ref under refs/orchestrator/.
// The only code that talks to git for that repo. Writes happen in-process (objects + ref locks);
// reads go through one `git cat-file --batch` child.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeRecordMessage, type OrchestratorRecord, type TopologyChanged } from '../core/records.js';
import { parseCommit, parseTree, type StoredCommit } from './commits.js';
import { StaleRefError, StoreError } from './errors.js';
import { runGit, spawnGitDetached } from './git.js';
import { NAMESPACE, TOPOLOGY_PATH, TOPOLOGY_REF } from './layout.js';
import { commitBody, EMPTY_TREE, treeBody, writeObject, type Signature } from './objects.js';
import { logCommits } from './log.js';
import type { LogOptions } from './log.js';
import { ObjectReader } from './reader.js';
import { assertRefName } from './refnames.js';
import { listRefs, readRef, withRefLock } from './refs.js';

export { StaleRefError, StoreError } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export type { StoredCommit } from './commits.js';

export interface OpenOptions {
  /** Create the bare repo when it is missing (default true). */
  create?: boolean;
  /** Run `git gc --auto` in the background now and then (default true). */
  maintenance?: boolean;
}

export interface Author {
  name: string;
  email: string;
}

export interface WalkOptions {
  /** Not included, and not walked past: typically "is this the cursor I read up to last time?". */
  stopAt?: (sha: string) => boolean;
  /** At most this many commits. */
  limit?: number;
  /** Commits whose committer time (ms) is older are not included, and not walked past. */
  notBefore?: number;
}

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

export const DEFAULT_PREFIXES = [NAMESPACE, 'refs/remotes/'];
/** Appends between two background `git gc --auto` runs. */
const MAINTENANCE_EVERY = 200;
/** Parsed commits kept in memory; commits never change, so this cache never needs invalidating. */
const CACHE_SIZE = 2_000;

export class Store {
  private readonly reader: ObjectReader;
  private readonly cache = new Map<string, StoredCommit>();
  private readonly clocks = new Map<string, number>();
  private sinceMaintenance = 0;

  private constructor(
    readonly gitDir: string,
    private readonly maintenance: boolean,
  ) {
    this.reader = new ObjectReader(gitDir);
  }

  static async open(gitDir: string, options: OpenOptions = {}): Promise<Store> {
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
      await runGit(null, ['init', '--bare', '--quiet', dir]);
      await runGit(dir, ['config', 'core.logAllRefUpdates', 'false']);
    } else if (state !== 'repo') {
      const hint = existsSync(join(dir, '.git'))
        ? 'it is a work tree; the coordination repo is a bare repo of its own'
        : 'move it away and run `claude-orchestrator init` to create a fresh one';
      throw new StoreError('DAMAGED_REPO', `${dir} exists but is not a git repository (${state}): ${hint}`, { gitDir: dir });
    }
    // Every record commit points at the empty tree; `git fsck` wants the object present.
    writeObject(dir, 'tree', Buffer.alloc(0));
    return new Store(dir, options.maintenance !== false);
  }

  /** Appends one commit per record, in order, on top of the ref. Returns the new commit SHAs. */
  async append(ref: string, records: OrchestratorRecord[], options: { author?: Author } = {}): Promise<string[]> {
    assertRefName(ref);
    if (records.length === 0) return [];
    const build = (base: string | null): string[] => {
      const shas: string[] = [];
      let parent = base;
      for (const record of records) {
        const body = commitBody(EMPTY_TREE, parent ? [parent] : [], signature(record, options.author), encodeRecordMessage(record));
        parent = writeObject(this.gitDir, 'commit', body);
        shas.push(parent);
      }
      return shas;
    };
    // Build before locking so the lock is held briefly; if the tip moved meanwhile, rebuild on the
    // new tip while holding the lock (objects are cheap), which also guarantees progress.
    let base = readRef(this.gitDir, ref);
    let shas = build(base);
    const written = await withRefLock(this.gitDir, ref, (current) => {
      if (current !== base) {
        base = current;
        shas = build(current);
      }
      return { write: shas[shas.length - 1], result: shas };
    });
    this.countWrites(records.length);
    return written;
  }

  async readRef(ref: string): Promise<string | null> {
    return readRef(this.gitDir, ref);
  }

  /** ref -> tip SHA for every ref under the prefixes (loose and packed). */
  async listRefs(prefixes: string[] = DEFAULT_PREFIXES): Promise<Map<string, string>> {
    return listRefs(this.gitDir, prefixes);
  }

  /** Deletes a ref if it still points at `expected` (rare: the git CLI does it). */
  async deleteRef(ref: string, expected: string): Promise<void> {
    assertRefName(ref);
    await runGit(this.gitDir, ['update-ref', '-d', ref, expected]);
  }

  /**
   * Commits reachable from `tip`, newest first (by committer time; a commit always after the
   * commits it was reached from), following every parent of merge commits.
   */
  async walk(tip: string, options: WalkOptions = {}): Promise<StoredCommit[]> {
    const { stopAt, limit = Infinity, notBefore } = options;
    const out: StoredCommit[] = [];
    const seen = new Set<string>();
    const frontier: StoredCommit[] = [];
    const enqueue = async (shas: string[]) => {
      const fresh = shas.filter((sha) => !seen.has(sha) && !(stopAt && stopAt(sha)));
      for (const sha of fresh) seen.add(sha);
      for (const commit of await Promise.all(fresh.map((sha) => this.readCommit(sha)))) {
        if (notBefore === undefined || commit.time >= notBefore) frontier.push(commit);
      }
    };
    if (limit <= 0) return out;
    await enqueue([tip]);
    while (frontier.length > 0) {
      let newest = 0;
      for (let i = 1; i < frontier.length; i++) if (frontier[i]!.time > frontier[newest]!.time) newest = i;
      const commit = frontier.splice(newest, 1)[0]!;
      out.push(commit);
      if (out.length >= limit) break;
      await enqueue(commit.parents);
    }
    return out;
  }

  /**
   * Every commit reachable from `include` but not from `exclude`, newest first, streamed to
   * `onCommit` from one `git log`: how a reader catches up on a long history in one go.
   */
  log(include: string[], options: LogOptions, onCommit: (commit: StoredCommit) => void): Promise<number> {
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

  /** The entry at `path` ("a/b/file") in the commit's tree, or null when there is none. */
  async readTreeEntry(commitSha: string, path: string): Promise<TreeEntry | null> {
    let tree = (await this.readCommit(commitSha)).tree;
    const parts = path.split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const entry = parseTree(await this.readObject(tree, 'tree')).find((e) => e.name === parts[i]);
      if (!entry) return null;
      const type = entry.mode === '40000' ? 'tree' : entry.mode === '160000' ? 'commit' : 'blob';
      if (i === parts.length - 1) return { mode: entry.mode, type, sha: entry.sha };
      if (type !== 'tree') return null;
      tree = entry.sha;
    }
    return null;
  }

  /** The topology file as last committed, with the commit that carries it; null before the first. */
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

  /**
   * Commits a new topology on top of `expectedTip` (null: the first one) and moves the ref once.
   * Throws StaleRefError when the ref moved: the caller re-reads and re-applies its edit.
   */
  async commitTopology(text: string, record: TopologyChanged, expectedTip: string | null, extraParents: string[] = []): Promise<string> {
    const blob = writeObject(this.gitDir, 'blob', Buffer.from(text, 'utf8'));
    const tree = writeObject(this.gitDir, 'tree', treeBody([{ name: TOPOLOGY_PATH, blob }]));
    const parents = [...new Set([...(expectedTip ? [expectedTip] : []), ...extraParents])];
    const commit = writeObject(this.gitDir, 'commit', commitBody(tree, parents, signature(record), encodeRecordMessage(record)));
    await withRefLock(this.gitDir, TOPOLOGY_REF, (current) => {
      if (current !== expectedTip) throw new StaleRefError(TOPOLOGY_REF, expectedTip, current);
      return { write: commit, result: commit };
    });
    this.countWrites(1);
    return commit;
  }

  /** The highest Lamport clock among the tips of all refs (0 when there are none). */
  async maxClock(): Promise<number> {
    const tips = [...new Set((await this.listRefs()).values())];
    const clocks = await Promise.all(
      tips.map(async (sha) => {
        let clock = this.clocks.get(sha);
        if (clock === undefined) {
          clock = (await this.readCommit(sha)).record?.clock ?? 0;
          this.clocks.set(sha, clock);
        }
        return clock;
      }),
    );
    return Math.max(0, ...clocks);
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
    if (this.sinceMaintenance >= MAINTENANCE_EVERY) this.runMaintenance();
  }

  /** Packs loose objects and refs off the hot path; git's own ref locks keep it safe next to our CAS. */
  private runMaintenance(): void {
    this.sinceMaintenance = 0;
    if (this.maintenance) spawnGitDetached(this.gitDir, ['gc', '--auto', '--quiet']);
  }
}

function signature(record: OrchestratorRecord, author?: Author): Signature {
  const at = Number.isFinite(record.at) ? record.at : Date.now();
  return {
    name: author?.name ?? `${record.role} (${record.group})`,
    email: author?.email ?? `${record.session ?? record.role}@orchestrator.invalid`,
    seconds: Math.floor(at / 1000),
  };
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
