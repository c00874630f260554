// Commit ingestion: a member repo's new commits, read from its worktrees' HEAD reflogs, become
// change records on this machine's changes ref for each (group, role) the repo plays.
// The reflog is the durable queue and the records carry the cursor (`ingest`), so writing a
// batch and advancing the cursor are one ref update: a kill at any point loses and repeats nothing.
import { createHash } from 'node:crypto';
import type { HomePaths } from '../../config/home.js';
import { machineId as readMachineId } from '../../config/machine.js';
import { classifyCommit } from '../../core/classify.js';
import { MAX_FILES_PER_RECORD, MAX_SUMMARY_CHARS, RECORD_VERSION, type ChangeEvent } from '../../core/records.js';
import { nextClock } from '../../core/record-schema.js';
import type { Group, Member, Topology } from '../../core/types.js';
import { join } from 'node:path';
import { canonical, changesRef, type CommitInfo, type CoordinationStore, findGitDirs, listWorktreeLogs, openGitStore, pokeSize, readCommits, readInstalled, readReflog, type ReflogEntry, StaleRefError, stateDirOf, claimIngestion, ingestionClaimed, POKE_FILE, trimPoke, touchIngestLock, tryIngestLock } from '../../store/index.js';
import { loadTopologyCached } from '../topology-cache.js';
import { contractsOfCommits, routeWithConsumers, settleContract, type ContractFindings } from '../contract-digest.js';

/** How a reflog entry is treated: the kind of record it becomes, or null when it is skipped. */
export type RecordedKind = 'commit' | 'amend' | 'merge' | 'cherry-pick' | 'revert' | 'am';

/**
 * Which HEAD movements are changes made here. Skipped: checkout/switch, reset, branch, clone,
 * fast-forwards (the commits were made elsewhere, or already recorded), and every rebase step
 * (`rebase (pick)` and friends replay commits that were recorded when first made; a commit or
 * amend made by hand during a rebase stop is a plain `commit:` entry and is recorded).
 */
export function recordedKind(message: string): RecordedKind | null {
  if (/^commit \(amend\): /.test(message)) return 'amend';
  if (/^commit( \(initial\)| \(merge\))?: /.test(message)) return 'commit';
  if (/^(merge|pull)\b[^:]*: Merge made by /.test(message)) return 'merge';
  if (/: fast-forward$/i.test(message)) return null;
  if (/^cherry-pick: /.test(message)) return 'cherry-pick';
  if (/^revert: /.test(message)) return 'revert';
  if (/^am: /.test(message)) return 'am';
  return null;
}

/** One id per (group, role, commit), on every machine: readers count a commit once. */
export function commitRecordId(group: string, role: string, sha: string): string {
  return `commit-${createHash('sha256').update(`${group}\0${role}\0${sha}`).digest('hex').slice(0, 16)}`;
}

export interface IngestContext {
  store: CoordinationStore;
  topology: Topology;
  machineId: string;
}

export interface IngestStats {
  /** Records written (one per commit per (group, role)). */
  written: number;
  /** (group, role) pairs the repo plays. */
  memberships: number;
}

interface Membership {
  group: Group;
  member: Member;
}

/** The (group, member) pairs whose repo shares this git common dir (linked worktrees included). */
export function membershipsOf(topology: Topology, commonDir: string): Membership[] {
  const target = canonical(commonDir);
  const out: Membership[] = [];
  for (const group of Object.values(topology.groups)) {
    for (const member of group.members) {
      if (findGitDirs(member.path)?.commonDir === target) out.push({ group, member });
    }
  }
  return out;
}

/** Ingests what is new in the repo once, without locking. Safe to run concurrently: see appendIfTip. */
export async function ingestOnce(ctx: IngestContext, commonDir: string): Promise<IngestStats> {
  const installed = readInstalled(commonDir);
  const memberships = membershipsOf(ctx.topology, commonDir);
  const stats: IngestStats = { written: 0, memberships: memberships.length };
  if (installed === null || memberships.length === 0) return stats;
  const logs = listWorktreeLogs(commonDir).map((log) => ({
    worktree: log.worktree,
    entries: sinceInstall(readReflog(log.file), installed.at, installed.marks.get(log.worktree)).filter((e) => recordedKind(e.message) !== null),
  }));
  if (logs.every((l) => l.entries.length === 0)) return stats;

  for (const { group, member } of memberships) {
    const ref = changesRef(ctx.machineId, group.name, member.role);
    for (let attempt = 0; ; attempt++) {
      try {
        stats.written += await ingestForRef(ctx, commonDir, ref, group, member, logs);
        break;
      } catch (error) {
        // Another ingester wrote meanwhile: read its cursor and go again.
        if (!(error instanceof StaleRefError) || attempt >= 8) throw error;
      }
    }
  }
  return stats;
}

async function ingestForRef(
  ctx: IngestContext,
  commonDir: string,
  ref: string,
  group: Group,
  member: Member,
  logs: Array<{ worktree: string; entries: ReflogEntry[] }>,
): Promise<number> {
  const tip = await ctx.store.readRef(ref);
  const cursors = await readCursors(ctx.store, tip, new Set(logs.filter((l) => l.entries.length).map((l) => l.worktree)));
  const pending: Array<{ worktree: string; entry: ReflogEntry }> = [];
  for (const log of logs) {
    for (const entry of entriesAfter(log.entries, cursors.get(log.worktree))) pending.push({ worktree: log.worktree, entry });
  }
  if (pending.length === 0) return 0;
  // Across worktrees by time; within one, reflog order (the sort is stable).
  pending.sort((a, b) => a.entry.time - b.entry.time);
  const commits = await readCommits(commonDir, pending.map((p) => p.entry.newSha));
  // Contract diffs (in a worker, time- and size-bounded) before the records are built.
  const contracts = await contractsOfCommits(commonDir, group, member, [...commits.values()]);
  const seen = await ctx.store.maxClock();
  const records: ChangeEvent[] = [];
  // One commit can stand in two reflog entries: a cherry-pick onto the commit's own parent within
  // the same second makes the very same commit again. It is still one change, one record.
  const recorded = alreadyRecorded(logs, pending);
  for (const { worktree, entry } of pending) {
    const commit = commits.get(entry.newSha);
    if (!commit || recorded.has(entry.newSha)) continue; // Pruned since, or recorded already.
    recorded.add(entry.newSha);
    records.push(changeRecord(group, member, commit, entry, worktree, nextClock(seen + records.length), contracts.get(commit.sha)));
  }
  if (records.length === 0) return 0;
  // Only if the ref is still where the cursors were read: on a moved tip a commit could be recorded twice.
  await ctx.store.append(ref, records, { expectedTip: tip, author: { name: `${member.role} (${group.name})`, email: `${member.role}@orchestrator.invalid` } });
  return records.length;
}

/** Commits of the entries before the pending ones: the cursors passed them, so they are recorded. */
function alreadyRecorded(logs: Array<{ entries: ReflogEntry[] }>, pending: Array<{ entry: ReflogEntry }>): Set<string> {
  const waiting = new Set(pending.map((p) => p.entry));
  return new Set(logs.flatMap((log) => log.entries.filter((e) => !waiting.has(e)).map((e) => e.newSha)));
}

/** Per worktree, the `ingest.entry` of the newest record on the ref (walks back only as far as needed). */
async function readCursors(store: CoordinationStore, tip: string | null, wanted: Set<string>): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let sha = tip;
  while (sha && found.size < wanted.size) {
    const commit = await store.readCommit(sha);
    const record = commit.record;
    if (record?.kind === 'event' && record.ingest && wanted.has(record.ingest.worktree) && !found.has(record.ingest.worktree)) {
      found.set(record.ingest.worktree, record.ingest.entry);
    }
    sha = commit.parents[0] ?? null;
  }
  return found;
}

/** What the worktree did after the install: after its last entry then, else from the install's second on. */
function sinceInstall(entries: ReflogEntry[], at: number, mark: string | undefined): ReflogEntry[] {
  if (mark !== undefined) {
    for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.id === mark) return entries.slice(i + 1);
  }
  const since = Math.floor(at / 1000);
  return entries.filter((e) => e.time >= since);
}

/** Entries after the cursor line; if that line is gone (reflog expired), those newer than its time. */
function entriesAfter(entries: ReflogEntry[], cursor: string | undefined): ReflogEntry[] {
  if (cursor === undefined) return entries;
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.id === cursor) return entries.slice(i + 1);
  const time = Number(cursor.split(' ').pop());
  return entries.filter((e) => e.time > time);
}

function changeRecord(group: Group, member: Member, commit: CommitInfo, entry: ReflogEntry, worktree: string, clock: number, found?: ContractFindings): ChangeEvent {
  const classified = classifyCommit({ files: commit.files, message: commit.message }, member.patterns ? { overrides: member.patterns } : {});
  if (classified.length === 0) classified.push('any_change'); // An empty commit is still a change people may want to hear of.
  const { types, contract } = settleContract(classified, found, { message: commit.message, files: commit.files, member });
  const routed = routeWithConsumers(group, member.role, types, contract);
  const subject = commit.message.split('\n', 1)[0] ?? '';
  const hint = types.filter((t) => t !== 'any_change');
  const kind = recordedKind(entry.message);
  const summary = `${subject}${kind === 'amend' ? ' (amended)' : ''}${hint.length ? ` [${hint.join(', ')}]` : ''}`;
  return {
    v: RECORD_VERSION,
    kind: 'event',
    id: commitRecordId(group.name, member.role, commit.sha),
    group: group.name,
    role: member.role,
    at: entry.time * 1000,
    clock,
    types,
    summary: summary.length > MAX_SUMMARY_CHARS ? `${summary.slice(0, MAX_SUMMARY_CHARS - 1)}…` : summary,
    priority: routed.priority,
    targets: routed.targets,
    source: 'commit',
    files: commit.files.slice(0, MAX_FILES_PER_RECORD),
    fileCount: commit.files.length,
    commit: { sha: commit.sha, subject, author: commit.author },
    ingest: { worktree, entry: entry.id },
    ...(contract ? { contract } : {}),
  };
}

export interface IngestRepoOptions {
  /** An open store (the server's); opened and closed here when absent. */
  store?: CoordinationStore;
  /** The current topology; loaded from topology.yml when absent. */
  topology?: Topology;
  env?: NodeJS.ProcessEnv;
  /**
   * Keeps the repo's ingest lock after catching up, so the post-commit hook starts no other
   * ingester meanwhile: called once the repo is caught up, with `pass` (ingests what is new, and
   * again while the poke file keeps changing; resolves to the number of records written; never
   * called twice at once by us, so the caller serializes) and where the pokes land. The lock is
   * released when the returned promise settles. The git hook's ingester lingers this way: one
   * node start then serves a burst of commits.
   */
  linger?: (pass: () => Promise<number>, poke: PokeLocation) => Promise<void>;
}

/** Where the post-commit hook pokes: watch the folder (the file may be started over), compare the size. */
export interface PokeLocation {
  folder: string;
  file: string;
  /** The poke file's size now (0 when absent); it changes with every commit. */
  size(): number;
  /** True once a live server of the repo claims its commits: lingering should end. */
  claimed(): boolean;
}

export interface IngestRepoResult extends IngestStats {
  /**
   * False when another live ingester holds the repo's lock. It picks up what its pokes announce
   * (a lingering one until it has been quiet for a while); an entry no hook poked for (a merge)
   * waits for the next run.
   */
  ran: boolean;
}

/**
 * Ingests a member repo (a worktree root, or its git common dir) until nothing new arrives (with
 * `linger`, until that says to stop): the hook's entry point and the server's catch-up at start. Takes the repo's ingest lock;
 * after releasing it, looks once more at the poke file, so a commit whose hook saw the lock
 * just before the release is not left waiting.
 */
export async function ingestRepo(paths: HomePaths, repoPath: string, options: IngestRepoOptions = {}): Promise<IngestRepoResult> {
  const commonDir = findGitDirs(repoPath)?.commonDir ?? canonical(repoPath);
  const result: IngestRepoResult = { ran: false, written: 0, memberships: 0 };
  const store = options.store ?? (await openGitStore(paths.repoGitDir));
  try {
    let ctx: IngestContext | null = null;
    // The poke size the last pass caught up to.
    let seen = -1;
    const pass = async (): Promise<number> => {
      let written = 0;
      do {
        seen = pokeSize(commonDir);
        // A lingering ingester follows topology edits (the cached read costs two small file reads).
        const topology = options.topology ?? (await loadTopology(paths, store, options.env));
        ctx = ctx ? { ...ctx, topology } : { store, topology, machineId: readMachineId(paths.home) };
        const stats = await ingestOnce(ctx, commonDir);
        written += stats.written;
        result.memberships = stats.memberships;
        // Keep the poke file small; a poke lost to the truncation is covered by going round once more.
        if (trimPoke(commonDir)) seen = -1;
      } while (pokeSize(commonDir) !== seen);
      result.written += written;
      // A lingering holder stays alive for long in a steady stream of commits: show the lock is
      // held, so it is never taken for one left by a dead process whose pid was reused.
      touchIngestLock(commonDir);
      return written;
    };
    const poke: PokeLocation = { folder: stateDirOf(commonDir), file: POKE_FILE, size: () => pokeSize(commonDir), claimed: () => ingestionClaimed(commonDir) };
    for (let round = 0; round < 100; round++) {
      const release = tryIngestLock(commonDir);
      if (!release) return result;
      result.ran = true;
      try {
        await pass();
        if (options.linger) await options.linger(pass, poke);
      } finally {
        release();
      }
      // A hook that read our pid just before the release started nothing: its poke is ours.
      if (pokeSize(commonDir) === seen) break;
    }
    return result;
  } finally {
    if (!options.store) store.close();
  }
}

function loadTopology(paths: HomePaths, store: CoordinationStore, env: NodeJS.ProcessEnv = process.env): Promise<Topology> {
  return loadTopologyCached(paths, store, env);
}

/** Where the background ingester notes its last failure: `<common-dir>/orchestrator/ingest.log`. */
export function ingestLogFile(commonDir: string): string {
  return join(stateDirOf(commonDir), 'ingest.log');
}

/** Where a running server follows a member repo's commits: its poke folder and file name. */
export interface CommitFollowing {
  /** Folder to watch (the file may be started over: watch the folder, not the file). */
  folder: string;
  /** Name of the file the post-commit hook appends to on every commit. */
  pokeFile: string;
  /** Claims ingestion for this process, so the hook starts no ingester; call the result to release. */
  claim(): () => void;
}

/** How to follow `repo`'s commits, or null when its post-commit hook is not installed (nothing would poke). */
export function commitFollowing(repo: string): CommitFollowing | null {
  const commonDir = findGitDirs(repo)?.commonDir;
  if (!commonDir || readInstalled(commonDir) === null) return null;
  return { folder: stateDirOf(commonDir), pokeFile: POKE_FILE, claim: () => claimIngestion(commonDir) };
}
