// The coordination repo as the rest of the program sees it: the `CoordinationStore` interface and
// the shapes it speaks. Two implementations keep the same semantics: `GitStore` (a bare git repo,
// src/store/git/) and `MemoryStore` (src/store/memory.ts, for fast in-process tests); the
// conformance suite (test/store.conformance.test.ts) runs against both. See docs/data-model.md.
import type { OrchestratorRecord, TopologyChanged } from '../core/records.js';
import type { StoredCommit } from './commits.js';
import type { Signature } from './objects.js';

export type { StoredCommit } from './commits.js';
export type { Signature } from './objects.js';

/** Who a commit names as author and committer (angle brackets and line breaks are dropped). */
export interface Author {
  name: string;
  email: string;
}

export interface AppendOptions {
  /** Default: `<role> (<group>) <session-or-role@orchestrator.invalid>`. */
  author?: Author;
  /**
   * Compare-and-swap: write only if the ref is still at this tip (null: the ref must be absent),
   * else StaleRefError. Use it where the records were computed from the tip (commit ingestion's
   * cursor). Without it, records go on whatever the tip is when the ref lock is taken.
   */
  expectedTip?: string | null;
}

export interface WalkOptions {
  /** Not included, and not walked past: typically "is this the cursor I read up to last time?". */
  stopAt?: (sha: string) => boolean;
  /** At most this many commits. */
  limit?: number;
  /** Commits whose committer time (ms) is older are not included, and not walked past. */
  notBefore?: number;
}

export interface LogOptions {
  /** Commits reachable from these are left out (what the reader has already read). */
  exclude?: string[];
  /** Commits older than this (committer time, ms) are left out. */
  notBefore?: number;
  /** Parents before children (`git log --date-order --reverse`), e.g. a registration before its heartbeats. */
  oldestFirst?: boolean;
  /**
   * Decode each commit's record only when `record` or `problem` is first read: for a reader that
   * stops early or skips commits by their clock (`log -n`). Such commits hold their message until
   * then, so a reader that keeps many must not ask for it. Default false: decoded at once.
   */
  lazy?: boolean;
}

/** One entry of a commit's tree. */
export interface TreeEntry {
  /** Git's octal mode as text: `100644`, `40000`, `160000`... */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

export interface RemoteInfo {
  name: string;
  /** As configured: a URL, an scp-like address or a path (for the in-memory store, another store's `location`). */
  url: string;
}

export interface TransportOptions {
  /** Gives up after this long, in ms (default 120 s for git). */
  timeoutMs?: number;
  /**
   * False (background syncs): never prompt; a missing credential or an unknown ssh host key
   * fails at once instead of hanging on a terminal nobody watches. Default true.
   */
  interactive?: boolean;
}

export interface FetchResult {
  /** Remote-tracking refs that moved, appeared or were pruned. */
  updated: number;
}

export interface PushUpdate {
  /** Local ref (source); null deletes the remote ref. */
  src: string | null;
  /** Remote ref. */
  dst: string;
  /** Replace a ref that is not an ancestor, only if the remote still has `lease` (null: absent). */
  force?: { lease: string | null };
}

export interface PushRefResult {
  dst: string;
  /** `ok` (moved), `up-to-date`, `rejected` (not a fast-forward, or the lease failed), `error`. */
  status: 'ok' | 'up-to-date' | 'rejected' | 'error';
  /** Why, in the transport's words (git's porcelain summary). */
  detail: string;
}

export interface TextMerge {
  text: string;
  /** Conflicting hunks left in `text` (with diff3 markers); 0 for a clean merge. */
  conflicts: number;
}

/** What git says of one commit's signature (git-log(1), `%G?`, `%GF`, `%GS`). */
export interface CommitVerdict {
  sha: string;
  parents: string[];
  /**
   * git's `%G?`: `G` good (a key of the list), `B` bad (altered or forged), `U` good but the key
   * is not in the list, `N` no signature, `E` cannot be checked, `X`/`Y` expired, `R` revoked.
   */
  status: string;
  /** The signing key's fingerprint (`SHA256:...`), when signed. */
  fingerprint: string | null;
  /** The principal the list names for the key, when it names one. */
  principal: string | null;
}

/** One remote-tracking ref to move: from `expected` (null: absent) to `next` (null: delete). */
export interface TrackingMove {
  ref: string;
  expected: string | null;
  next: string | null;
}

/**
 * Signed records (git store only): this machine's signing key, verification of fetched commits,
 * and remote-tracking refs that move only to verified tips. docs/sharing.md, "Signed records".
 */
export interface RecordSigning {
  /**
   * The key this machine signs with (git's `user.signingKey` with `gpg.format = ssh` in the
   * coordination repo's own config), or null. While set, every commit the store writes carries a
   * `gpgsig` header made by `ssh-keygen -Y sign -n git`; a signing failure fails the write (`SIGN_FAILED`).
   */
  signingKey(): string | null;
  /**
   * Sets (null: unsets) the signing key in the repo's config, with git's SSH settings beside it.
   * Once it resolves, every record any process appends is signed, and the refs' tips already hold
   * every unsigned one (what `signing enable` vouches for).
   */
  configure(key: string | null): Promise<void>;
  /** Signs `payload` with `key` now (a check that the key works): the armored signature. `SIGN_FAILED`. */
  sign(key: string, payload: Buffer): Promise<string>;
  /** Writes the copy of the allowed-signers list that hand checks (`git verify-commit`) read. */
  exportAllowedSigners(text: string): void;
  /**
   * Fetches the remote's coordination refs into `refs/orchestrator-incoming/<remote>/` (pruned
   * like a normal fetch), where no reader looks. `GIT_FAILED` as `fetch`.
   */
  fetchIncoming(remote: string, options?: TransportOptions): Promise<FetchResult>;
  /**
   * Every commit reachable from `include` and not from `exclude` (SHAs; ones this repo does not
   * have are ignored), verified against the list's text; newest first.
   */
  verify(include: string[], exclude: string[], allowedSigners: string): Promise<CommitVerdict[]>;
  /** Moves remote-tracking refs in one transaction, each from its expected value. `BAD_REF_NAME`, `GIT_FAILED`. */
  moveTracking(moves: TrackingMove[]): Promise<void>;
  /**
   * Commits `files` (name -> text) as the files of a tree on `ref` (the signers ref) on top of
   * `expectedTip`, with `extraParents`, signed with the configured key; moves the ref once.
   * StaleRefError when the ref moved; `SIGN_FAILED` without a working key.
   */
  commitFiles(ref: string, files: Record<string, string>, record: TopologyChanged, expectedTip: string | null, extraParents?: string[]): Promise<string>;
}

/**
 * The coordination repo: records as commits on refs under `refs/orchestrator/`, the shared
 * topology ref, the prune archive under `refs/orchestrator-archive/`, and remotes it shares with.
 *
 * Errors are `StoreError`s with a stable `code` (src/store/errors.ts): `BAD_REF_NAME` for a ref
 * outside what the member accepts, `STALE_REF` (`StaleRefError`, with `expected` and `actual`)
 * when a compare-and-swap found another tip, `REF_LOCKED` when a ref stayed locked too long (git:
 * `<ref>.lock`), `MISSING_OBJECT` / `BAD_OBJECT` for reads of absent or mistyped objects,
 * `GIT_FAILED` when transport or a git command failed, `CLOSED` after `close()`.
 * SHAs are 40 lowercase hex digits (git's SHA-1 object ids; the in-memory store computes the same).
 * Times are milliseconds since the epoch; commit times have git's one-second resolution.
 */
export interface CoordinationStore {
  /**
   * Where the store is, for messages and cache keys only (an absolute git dir, or
   * `memory://<n>`); never a handle to reach around the interface.
   */
  readonly location: string;

  // ---- refs ----

  /**
   * ref -> tip SHA for every ref whose name starts with one of the prefixes (default: our
   * namespace `refs/orchestrator/` and remote-tracking copies `refs/remotes/`). A prefix may end
   * inside a component. Archive refs are listed only with `listArchive`. Read-only: while no ref
   * changed, a store may hand out the same map again (a reader may compare identities).
   */
  listRefs(prefixes?: string[]): Promise<ReadonlyMap<string, string>>;

  /**
   * The refs whose tips may differ between two listings of `listRefs` (a superset), or null when
   * the store cannot tell and every ref must be compared.
   */
  changedRefs(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Set<string> | null;

  /**
   * Refs the last `listRefs` left out because they are damaged (a ref file that is empty or holds
   * garbage): ref -> what is wrong. A damaged ref costs only itself; readers report it.
   */
  damagedRefs(): Map<string, string>;

  /** The ref's tip, or null when it does not exist. */
  readRef(ref: string): Promise<string | null>;

  /**
   * Appends one commit per record, in order (first record = oldest commit), on top of the ref,
   * and moves the ref once. Returns the new SHAs in record order; `[]` for no records. The commit
   * time is the record's `at`. Ref names must be under `refs/orchestrator/` (`BAD_REF_NAME`).
   * With `expectedTip`, throws StaleRefError when the ref is elsewhere; without, never stale.
   */
  append(ref: string, records: OrchestratorRecord[], options?: AppendOptions): Promise<string[]>;

  /**
   * Moves `ref` (under `refs/orchestrator/`) from `expected` (null: absent) to `next`, a commit
   * already in the store; StaleRefError when the ref is elsewhere. Git's ref lock protocol.
   */
  compareAndSwap(ref: string, expected: string | null, next: string): Promise<void>;

  /**
   * Deletes a ref (ours or an archive entry) if it still points at `expected`; StaleRefError
   * when it points elsewhere or is gone.
   */
  deleteRef(ref: string, expected: string): Promise<void>;

  /** The highest Lamport clock among the records at the tips of all listed refs (0 when none). */
  maxClock(): Promise<number>;

  // ---- objects and incremental reads ----

  /** One commit with its record decoded (`problem` says why not); cached, commits never change. `MISSING_OBJECT`, `BAD_OBJECT`. */
  readCommit(sha: string): Promise<StoredCommit>;

  /** A blob's bytes. `MISSING_OBJECT`, `BAD_OBJECT` (not a blob). */
  readBlob(sha: string): Promise<Buffer>;

  /** The entry at `path` ("a/b/file") in the commit's tree, or null when there is none. */
  readTreeEntry(commitSha: string, path: string): Promise<TreeEntry | null>;

  /**
   * Commits reachable from `tip`, newest first by committer time (ties: the one reached first),
   * a commit always after the commits it was reached from, following every parent of merges,
   * each once. One read per commit: for a few new commits on a known ref.
   */
  walk(tip: string, options?: WalkOptions): Promise<StoredCommit[]>;

  /**
   * Every commit reachable from `include` but not from `exclude`, streamed to `onCommit`
   * (newest first, or parents before children with `oldestFirst`), each once; resolves with the
   * count. For catching up on a long history in one pass (git: one `git log`). Streamed commits
   * carry no tree (`tree` is ''). `onCommit` returning `false` stops the stream there: nothing
   * after that commit is read or delivered (a reader that needs only the newest few).
   */
  log(include: string[], options: LogOptions, onCommit: (commit: StoredCommit) => boolean | void): Promise<number>;

  // ---- the topology ----

  /** The topology file as last committed on `refs/orchestrator/topology`, with its commit; null before the first. `MISSING_TOPOLOGY_FILE`. */
  readTopology(): Promise<{ sha: string; text: string } | null>;

  /**
   * Commits `text` as the topology file on top of `expectedTip` (null: the first one), with
   * `extraParents` (a merge), and moves the ref once. StaleRefError when the ref moved: re-read,
   * re-apply the edit.
   */
  commitTopology(text: string, record: TopologyChanged, expectedTip: string | null, extraParents?: string[]): Promise<string>;

  // ---- the prune archive (refs/orchestrator-archive/) ----

  /** archive ref -> SHA for every entry (see `archiveRefFor`). */
  listArchive(): Promise<Map<string, string>>;

  /** Creates an archive ref pointing at `sha`; StaleRefError (expected absent) when it exists. `BAD_REF_NAME` outside the archive. */
  writeArchiveRef(archived: string, sha: string): Promise<void>;

  /**
   * Writes a commit with the given tree, parents, message and author (also committer), and
   * returns its SHA without moving any ref: a record copied onto a restarted chain by prune.
   */
  recommit(tree: string, parents: string[], message: string, author: Signature): Promise<string>;

  /** A commit's author as written (name, email, seconds), to copy it faithfully. `MISSING_OBJECT`. */
  readAuthor(sha: string): Promise<Signature>;

  // ---- remotes and transport ----

  /** The configured remotes, in configuration order. */
  listRemotes(): Promise<RemoteInfo[]>;

  /**
   * Adds a remote whose coordination refs are fetched into `refs/remotes/<name>/orchestrator/`
   * (no tags). Returns the URL as stored: a store may make a local path absolute. `GIT_FAILED`
   * when one of that name exists; `name` must be a valid name (core/names).
   */
  addRemote(name: string, url: string): Promise<string>;

  /** Removes a remote and its remote-tracking refs. `GIT_FAILED` when there is none. */
  removeRemote(name: string): Promise<void>;

  /**
   * Fetches every coordination ref of the remote into `refs/remotes/<remote>/orchestrator/`,
   * pruning copies of refs the remote no longer has. `GIT_FAILED` when unreachable or timed out.
   */
  fetch(remote: string, options?: TransportOptions): Promise<FetchResult>;

  /**
   * Pushes `updates` and `patterns` (`<src-prefix>*:<dst-prefix>*` refspecs) in one go.
   * Non-forced updates must be fast-forwards; forced ones carry a lease. Per-ref results; throws
   * `GIT_FAILED` only when nothing could be pushed at all (unreachable, refused as a whole).
   */
  push(remote: string, patterns: string[], updates: PushUpdate[], options?: TransportOptions): Promise<PushRefResult[]>;

  /** Whether `ancestor` is reachable from `descendant` (equal counts as reachable). */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;

  /** The best common ancestor of two commits, or null for unrelated histories. */
  mergeBase(a: string, b: string): Promise<string | null>;

  // ---- signed records ----

  /** Signing and verification (docs/sharing.md, "Signed records"); absent where the store cannot sign (memory). */
  readonly signing?: RecordSigning;

  // ---- life cycle ----

  /** Packs and tidies now, off the hot path (git: a detached `git gc --auto`); best effort, never throws. */
  maintain(): void;

  /** Releases what the store holds (git: the reader child) and runs pending maintenance; reads after it fail with `CLOSED`. */
  close(): void;
}
