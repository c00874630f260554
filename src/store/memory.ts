// The coordination store in memory, with the git store's semantics: the same object formats (so
// the same SHAs for the same records), the same ref name rules, compare-and-swap failures as
// StaleRefError, the same walk and log order, the prune archive, and remotes that are other
// MemoryStores (a remote's URL is that store's `location`). For fast in-process tests of the
// application; test/store.conformance.test.ts holds both implementations to one contract.
// Longer than 300 lines because it is one implementation of one interface (store/types.ts):
// split, its members' shared invariants (objects, refs, archive, remotes) would scatter.
import { assertName } from '../core/names.js';
import type { OrchestratorRecord, TopologyChanged } from '../core/records.js';
import { parseAuthor, parseCommit, parseTree, treeEntryAt, writableMessage, type StoredCommit } from './commits.js';
import { StaleRefError, StoreError } from './errors.js';
import { ARCHIVE_NAMESPACE, NAMESPACE, remoteNamespace, TOPOLOGY_PATH, TOPOLOGY_REF } from './layout.js';
import { commitBody, EMPTY_TREE, hashObject, recordSignature, treeBody, type ObjectType, type Signature } from './objects.js';
import { assertRefName } from './refnames.js';
import type {
  AppendOptions, CoordinationStore, FetchResult, LogOptions, PushRefResult, PushUpdate, RemoteInfo, TransportOptions, TreeEntry, WalkOptions,
} from './types.js';
import { maxClockOf, walkCommits } from './walk.js';

const DEFAULT_PREFIXES = [NAMESPACE, 'refs/remotes/'];
const SHA = /^[0-9a-f]{40}$/;

/** Every open MemoryStore by location: how a remote URL finds its store. */
const stores = new Map<string, MemoryStore>();
let created = 0;

interface RawObject {
  type: ObjectType;
  body: Buffer;
}

/** `CoordinationStore` held in this process's memory. `location` is `memory://<n>`. */
export class MemoryStore implements CoordinationStore {
  readonly location: string;
  private readonly objects = new Map<string, RawObject>();
  private readonly refs = new Map<string, string>();
  private readonly remotes: RemoteInfo[] = [];
  private readonly clocks = new Map<string, number>();
  private closed = false;

  constructor() {
    this.location = `memory://${++created}`;
    stores.set(this.location, this);
    this.put('tree', Buffer.alloc(0));
  }

  // ---- refs ----

  /** Nothing in memory is ever damaged. */
  damagedRefs(): Map<string, string> {
    return new Map();
  }

  /** Each listing is a new map: every ref is compared. */
  changedRefs(): null {
    return null;
  }

  async listRefs(prefixes: string[] = DEFAULT_PREFIXES): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const [ref, sha] of [...this.refs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (prefixes.some((p) => ref.startsWith(p))) found.set(ref, sha);
    }
    return found;
  }

  async readRef(ref: string): Promise<string | null> {
    return this.refs.get(ref) ?? null;
  }

  async append(ref: string, records: OrchestratorRecord[], options: AppendOptions = {}): Promise<string[]> {
    assertRefName(ref);
    if (records.length === 0) return [];
    const current = this.refs.get(ref) ?? null;
    if (options.expectedTip !== undefined && options.expectedTip !== current) throw new StaleRefError(ref, options.expectedTip, current);
    const shas: string[] = [];
    let parent = current;
    const messages = records.map(writableMessage); // INVALID_RECORD before anything is written
    for (const [i, record] of records.entries()) {
      parent = this.put('commit', commitBody(EMPTY_TREE, parent ? [parent] : [], recordSignature(record, options.author), messages[i]!));
      shas.push(parent);
    }
    this.refs.set(ref, parent!);
    return shas;
  }

  async compareAndSwap(ref: string, expected: string | null, next: string): Promise<void> {
    assertRefName(ref);
    this.swap(ref, expected, next);
  }

  async deleteRef(ref: string, expected: string): Promise<void> {
    if (!ref.startsWith(ARCHIVE_NAMESPACE)) assertRefName(ref);
    this.swap(ref, expected, null);
  }

  async maxClock(): Promise<number> {
    return maxClockOf((await this.listRefs()).values(), (sha) => this.readCommit(sha), this.clocks);
  }

  // ---- objects and reads ----

  async readCommit(sha: string): Promise<StoredCommit> {
    return parseCommit(sha, this.object(sha, 'commit'));
  }

  async readBlob(sha: string): Promise<Buffer> {
    return Buffer.from(this.object(sha, 'blob'));
  }

  async readTreeEntry(commitSha: string, path: string): Promise<TreeEntry | null> {
    return treeEntryAt((await this.readCommit(commitSha)).tree, path, (sha) => this.object(sha, 'tree'));
  }

  walk(tip: string, options: WalkOptions = {}): Promise<StoredCommit[]> {
    return walkCommits((sha) => this.readCommit(sha), tip, options);
  }

  /** As `git log`: a priority walk by committer time from every tip; `oldestFirst` is `--date-order --reverse`. */
  async log(include: string[], options: LogOptions, onCommit: (commit: StoredCommit) => boolean | void): Promise<number> {
    this.assertOpen();
    if (include.length === 0) return 0;
    const excluded = this.reachable(options.exclude ?? []);
    const { notBefore } = options;
    const keep = (c: StoredCommit) => notBefore === undefined || !Number.isFinite(notBefore) || c.time >= notBefore;
    // Newest first; a commit older than notBefore is neither shown nor walked past.
    const order: StoredCommit[] = [];
    const seen = new Set<string>();
    const frontier: StoredCommit[] = [];
    const sources = new Map<string, string>();
    const enqueue = (shas: string[], source?: string) => {
      for (const sha of shas) {
        if (seen.has(sha) || excluded.has(sha)) continue;
        seen.add(sha);
        sources.set(sha, source ?? sha);
        const commit = this.commitOrThrow(sha);
        if (keep(commit)) frontier.push(commit);
      }
    };
    enqueue(include);
    while (frontier.length > 0) {
      let newest = 0;
      for (let i = 1; i < frontier.length; i++) if (frontier[i]!.time > frontier[newest]!.time) newest = i;
      const commit = frontier.splice(newest, 1)[0]!;
      order.push(commit);
      enqueue(commit.parents, sources.get(commit.sha));
    }
    const out = options.oldestFirst ? dateOrderReversed(order) : order;
    let count = 0;
    for (const commit of out) {
      count++;
      if (onCommit({ ...commit, tree: '', source: sources.get(commit.sha)! }) === false) break;
    }
    return count;
  }

  // ---- topology ----

  async readTopology(): Promise<{ sha: string; text: string } | null> {
    const sha = this.refs.get(TOPOLOGY_REF);
    if (!sha) return null;
    const entry = await this.readTreeEntry(sha, TOPOLOGY_PATH);
    if (!entry || entry.type !== 'blob') {
      throw new StoreError('MISSING_TOPOLOGY_FILE', `${TOPOLOGY_REF} (${sha}) has no ${TOPOLOGY_PATH}: commit a topology again (e.g. \`claude-orchestrator init\`)`, { sha });
    }
    return { sha, text: (await this.readBlob(entry.sha)).toString('utf8') };
  }

  async commitTopology(text: string, record: TopologyChanged, expectedTip: string | null, extraParents: string[] = []): Promise<string> {
    const blob = this.put('blob', Buffer.from(text, 'utf8'));
    const tree = this.put('tree', treeBody([{ name: TOPOLOGY_PATH, blob }]));
    const parents = [...new Set([...(expectedTip ? [expectedTip] : []), ...extraParents])];
    const commit = this.put('commit', commitBody(tree, parents, recordSignature(record), writableMessage(record)));
    this.swap(TOPOLOGY_REF, expectedTip, commit);
    return commit;
  }

  // ---- archive ----

  async listArchive(): Promise<Map<string, string>> {
    return this.listRefs([ARCHIVE_NAMESPACE]);
  }

  async writeArchiveRef(archived: string, sha: string): Promise<void> {
    if (!archived.startsWith(ARCHIVE_NAMESPACE)) throw new StoreError('BAD_REF_NAME', `${archived} is not an archive ref`, { ref: archived });
    this.swap(archived, null, sha);
  }

  async recommit(tree: string, parents: string[], message: string, author: Signature): Promise<string> {
    return this.put('commit', commitBody(tree, parents, author, message));
  }

  async readAuthor(sha: string): Promise<Signature> {
    return parseAuthor(this.object(sha, 'commit'));
  }

  // ---- remotes ----

  async listRemotes(): Promise<RemoteInfo[]> {
    return this.remotes.map((r) => ({ ...r }));
  }

  async addRemote(name: string, url: string): Promise<string> {
    assertName('remote', name);
    if (this.remotes.some((r) => r.name === name)) {
      throw new StoreError('GIT_FAILED', `a remote named ${name} already exists: remove it first (claude-orchestrator remote remove ${name})`);
    }
    this.remotes.push({ name, url });
    return url;
  }

  async removeRemote(name: string): Promise<void> {
    assertName('remote', name);
    const at = this.remotes.findIndex((r) => r.name === name);
    if (at < 0) throw new StoreError('GIT_FAILED', `git remote remove ${name} failed: No such remote: '${name}'`);
    this.remotes.splice(at, 1);
    for (const ref of [...this.refs.keys()]) if (ref.startsWith(`refs/remotes/${name}/`)) this.refs.delete(ref);
  }

  async fetch(remote: string, _options: TransportOptions = {}): Promise<FetchResult> {
    const other = this.remoteStore(remote);
    const tracking = remoteNamespace(remote);
    const theirs = await other.listRefs([NAMESPACE]);
    let updated = 0;
    for (const [ref, sha] of theirs) {
      this.copyFrom(other, sha);
      const local = `${tracking}${ref.slice(NAMESPACE.length)}`;
      if (this.refs.get(local) !== sha) {
        this.refs.set(local, sha);
        updated++;
      }
    }
    for (const ref of [...this.refs.keys()]) {
      if (ref.startsWith(tracking) && !theirs.has(`${NAMESPACE}${ref.slice(tracking.length)}`)) {
        this.refs.delete(ref);
        updated++;
      }
    }
    return { updated };
  }

  async push(remote: string, patterns: string[], updates: PushUpdate[], _options: TransportOptions = {}): Promise<PushRefResult[]> {
    const other = this.remoteStore(remote);
    const all: PushUpdate[] = [];
    for (const pattern of patterns) {
      const [from = '', to = ''] = pattern.replace(/^\+/, '').split(':');
      const src = from.replace(/\*$/, '');
      const dst = to.replace(/\*$/, '');
      for (const ref of (await this.listRefs([src])).keys()) all.push({ src: ref, dst: `${dst}${ref.slice(src.length)}` });
    }
    all.push(...updates);
    const results: PushRefResult[] = [];
    for (const u of all) {
      const current = other.refs.get(u.dst) ?? null;
      const sha = u.src === null ? null : (this.refs.get(u.src) ?? (SHA.test(u.src) ? u.src : undefined));
      if (sha === undefined) {
        results.push({ dst: u.dst, status: 'error', detail: `src refspec ${u.src} does not match any` });
        continue;
      }
      if (sha === current) {
        results.push({ dst: u.dst, status: 'up-to-date', detail: '[up to date]' });
        continue;
      }
      if (u.force && u.force.lease !== current) {
        results.push({ dst: u.dst, status: 'rejected', detail: '[rejected] (stale info)' });
        continue;
      }
      if (!u.force && sha !== null && current !== null && !this.reachable([sha]).has(current)) {
        results.push({ dst: u.dst, status: 'rejected', detail: this.objects.has(current) ? '[rejected] (non-fast-forward)' : '[rejected] (fetch first)' });
        continue;
      }
      if (sha === null) other.refs.delete(u.dst);
      else {
        other.copyFrom(this, sha);
        other.refs.set(u.dst, sha);
      }
      results.push({ dst: u.dst, status: 'ok', detail: sha === null ? '[deleted]' : u.force ? 'forced update' : 'fast-forward' });
      // As git does: a pushed ref the fetch refspec maps updates its remote-tracking copy.
      if (u.dst.startsWith(NAMESPACE)) {
        const local = `${remoteNamespace(remote)}${u.dst.slice(NAMESPACE.length)}`;
        if (sha === null) this.refs.delete(local);
        else this.refs.set(local, sha);
      }
    }
    return results;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    if (ancestor === descendant) return true;
    this.commitOrThrow(ancestor);
    return this.reachable([descendant]).has(ancestor);
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const fromA = this.reachable([a]);
    const common = [...this.reachable([b])].filter((sha) => fromA.has(sha));
    // Best common ancestors: those no other common ancestor reaches.
    const best = common.filter((sha) => !common.some((other) => other !== sha && this.reachable([other]).has(sha)));
    if (best.length === 0) return null;
    return best.reduce((x, y) => (this.commitOrThrow(y).time > this.commitOrThrow(x).time ? y : x));
  }

  // ---- life cycle ----

  maintain(): void {
    // Nothing piles up in memory.
  }

  close(): void {
    this.closed = true;
    stores.delete(this.location);
  }

  // ---- internals ----

  private put(type: ObjectType, body: Buffer): string {
    const sha = hashObject(type, body);
    if (!this.objects.has(sha)) this.objects.set(sha, { type, body });
    return sha;
  }

  private object(sha: string, type: ObjectType): Buffer {
    this.assertOpen();
    if (!SHA.test(sha)) throw new StoreError('BAD_OBJECT', `not an object id: ${JSON.stringify(sha)}`);
    const object = this.objects.get(sha);
    if (!object) throw new StoreError('MISSING_OBJECT', `object ${sha} is not in ${this.location}`, { sha });
    if (object.type !== type) throw new StoreError('BAD_OBJECT', `object ${sha} is a ${object.type}, not a ${type}`, { sha });
    return object.body;
  }

  private commitOrThrow(sha: string): StoredCommit {
    return parseCommit(sha, this.object(sha, 'commit'));
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('CLOSED', 'the store is closed; open it again to read');
  }

  /** Moves a ref under the same rule as git's ref lock: only from `expected` (null: absent); `next` null deletes. */
  private swap(ref: string, expected: string | null, next: string | null): void {
    const current = this.refs.get(ref) ?? null;
    if (current !== expected) throw new StaleRefError(ref, expected, current);
    if (next === null) this.refs.delete(ref);
    else this.refs.set(ref, next);
  }

  /** Every commit reachable from the tips (tips included); tips that are absent are skipped. */
  private reachable(tips: string[]): Set<string> {
    return this.reachableFrom(this, ...tips);
  }

  private reachableFrom(store: MemoryStore, ...tips: string[]): Set<string> {
    const seen = new Set<string>();
    const stack = [...tips];
    while (stack.length > 0) {
      const sha = stack.pop()!;
      if (seen.has(sha)) continue;
      const object = store.objects.get(sha);
      if (!object || object.type !== 'commit') continue;
      seen.add(sha);
      stack.push(...parseCommit(sha, object.body).parents);
    }
    return seen;
  }

  /** Copies the objects reachable from `sha` in `other` (commits, their trees and blobs). */
  private copyFrom(other: MemoryStore, sha: string): void {
    const stack = [sha];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (this.objects.has(id)) continue;
      const object = other.objects.get(id);
      if (!object) continue;
      this.objects.set(id, object);
      if (object.type === 'commit') {
        const commit = parseCommit(id, object.body);
        stack.push(commit.tree, ...commit.parents);
      } else if (object.type === 'tree') {
        stack.push(...parseTree(object.body).map((e) => e.sha));
      }
    }
  }

  private remoteStore(name: string): MemoryStore {
    const remote = this.remotes.find((r) => r.name === name);
    if (!remote) throw new StoreError('GIT_FAILED', `'${name}' does not appear to be a remote: add it first`, { remote: name });
    const store = stores.get(remote.url);
    if (!store) throw new StoreError('GIT_FAILED', `${remote.url} (remote ${name}) is not an open in-memory store`, { remote: name, url: remote.url });
    return store;
  }
}

/**
 * `git log --date-order --reverse` of commits listed newest first: no parent before all of its
 * children (within the set), otherwise by committer time, then reversed (oldest first).
 */
function dateOrderReversed(newestFirst: StoredCommit[]): StoredCommit[] {
  const inSet = new Map(newestFirst.map((c, i) => [c.sha, i]));
  const children = new Map<string, number>();
  for (const c of newestFirst) for (const p of c.parents) if (inSet.has(p)) children.set(p, (children.get(p) ?? 0) + 1);
  const ready = newestFirst.filter((c) => !children.get(c.sha));
  const out: StoredCommit[] = [];
  while (ready.length > 0) {
    let pick = 0;
    for (let i = 1; i < ready.length; i++) if (ready[i]!.time > ready[pick]!.time) pick = i;
    const commit = ready.splice(pick, 1)[0]!;
    out.push(commit);
    for (const p of commit.parents) {
      if (!inSet.has(p)) continue;
      const left = children.get(p)! - 1;
      children.set(p, left);
      if (left === 0) ready.push(newestFirst[inSet.get(p)!]!);
    }
  }
  return out.reverse();
}
