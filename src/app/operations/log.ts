// The coordination history for people: a timeline over every ref (this machine's and the remotes'
// copies), newest first. Reads only what it shows: the timeline walks all
// tips at once, newest commit first, and stops once it has enough.
import { compareRecords } from '../../core/order.js';
import { recordClockHint, recordConcerns, type OrchestratorRecord } from '../../core/records.js';
import { NAMESPACE, type CoordinationStore, type StoredCommit } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { escapeControl } from '../../core/record-schema.js';

export interface TimelineOptions {
  group?: string;
  /** Records written by this role or addressed to it. */
  role?: string;
  /** Wall-clock ms: nothing older. */
  since?: number;
  /** At most this many entries (default 20). */
  limit?: number;
  /** Include heartbeats (left out by default: they say only "still here"). */
  heartbeats?: boolean;
}

export interface TimelineEntry {
  at: string;
  clock: number;
  id: string;
  kind: OrchestratorRecord['kind'];
  group: string;
  role: string;
  session: string | null;
  /** `role (session)`, or `role` for records without a session. */
  who: string;
  /** `event schema_change [high]`, `sync.requested`, ... */
  what: string;
  /** Roles addressed (`frontend (via gateway)`), sync point participants. */
  to: string[];
  /** The member repo's commit, for ingested commits. */
  commit: string | null;
  summary: string;
  /** The coordination commit that carries the record, and where it was found. */
  sha: string;
  ref: string;
}

/**
 * How far (ms) the wall clocks of two machines may disagree before the order by Lamport clock
 * could be missed: the margin for every ref that may hold another machine's commits (remote
 * copies, and the topology and signers refs, which take other machines' commits by merge).
 */
const SHARED_SKEW_MS = 5 * 60_000;
/**
 * The margin for the refs only this machine's writers write (its sessions' and its change refs):
 * they share one clock and read the newest Lamport clock before they write, so only a step back
 * of that clock (an NTP correction) parts their order by time from their order by clock. At 1M
 * records the 5-minute margin streamed ~4,000 more commits through `git log` (~100 ms;
 * docs/performance.md), one minute streams a fifth of that.
 */
const OWN_SKEW_MS = 60_000;
/** The refs only this machine writes. */
const OWN_PREFIXES = [`${NAMESPACE}sessions/`, `${NAMESPACE}changes/`];

/** The newest `limit` entries matching the filters, newest first. */
export async function log(ctx: AppContext, options: TimelineOptions = {}): Promise<TimelineEntry[]> {
  return readTimeline(ctx.store, options);
}

/**
 * The newest `limit` records matching `options`, newest first, over every ref (this machine's and
 * the remotes' copies). Reads only what it shows, plus a margin for clock skew: this machine's
 * own refs and the others are walked apart, each stopping at its first commit older than its
 * `limit`th newest entry's time minus its margin (`OWN_SKEW_MS`, `SHARED_SKEW_MS`); the page is
 * the newest of both. Store errors: those of `listRefs`; an unreadable ref costs only itself.
 */
export async function readTimeline(store: CoordinationStore, options: TimelineOptions = {}): Promise<TimelineEntry[]> {
  const limit = options.limit ?? 20;
  if (limit <= 0) return [];
  const own: [string, string][] = [];
  const shared: [string, string][] = [];
  for (const entry of await store.listRefs()) (OWN_PREFIXES.some((p) => entry[0].startsWith(p)) ? own : shared).push(entry);
  // Local refs before remote copies, so a record found in both is shown with its local ref.
  shared.sort(([a], [b]) => Number(a.startsWith('refs/remotes/')) - Number(b.startsWith('refs/remotes/')));
  const found = [...(await walkRefs(store, own, options, limit, OWN_SKEW_MS)), ...(await walkRefs(store, shared, options, limit, SHARED_SKEW_MS))];
  const seen = new Set<string>();
  return found
    .filter((f) => !seen.has(f.record.id) && (seen.add(f.record.id), true))
    .sort((a, b) => compareRecords(b.record, a.record))
    .slice(0, limit)
    .map((f) => entryOf(f.record, f.sha, f.ref));
}

/** The `limit` newest matching records of `ordered` refs, walked with `margin` (see readTimeline). */
async function walkRefs(store: CoordinationStore, ordered: [string, string][], options: TimelineOptions, limit: number, margin: number): Promise<FoundRecord[]> {
  if (ordered.length === 0) return [];
  let found = new Found(limit, options, margin);
  try {
    // One `git log` over every tip, newest first, stopped once enough is found: git walks a
    // million-record history at a few µs a commit, where a read per commit cost over 100 µs.
    const refOfTip = new Map<string, string>();
    for (const [ref, tip] of ordered) if (!refOfTip.has(tip)) refOfTip.set(tip, ref);
    const notBefore = options.since === undefined ? undefined : options.since - margin;
    await store.log([...refOfTip.keys()], notBefore === undefined ? { lazy: true } : { notBefore, lazy: true }, (commit) =>
      found.offer(commit, refOfTip.get(commit.source ?? '') ?? ordered[0]![0]));
  } catch {
    // A damaged ref fails the whole `git log`: walk ref by ref, so it costs only itself.
    found = new Found(limit, options, margin);
    await walkTimeline(store, ordered, options, found, margin);
  }
  return found.records();
}

/** A candidate for the page: the record, its commit and the ref it was found on. */
interface FoundRecord {
  record: OrchestratorRecord;
  sha: string;
  ref: string;
}

/** The entries found so far, and when enough are found. */
class Found {
  private readonly seenRecords = new Set<string>();
  /** Entries are made only for the `limit` shown: a long walk finds thousands of candidates. */
  private readonly found: FoundRecord[] = [];
  /**
   * The commit times of the `limit` newest entries found so far, newest first: the walk stops once
   * the next commit is older than the last of them by more than the skew margin. A fixed bound,
   * not the oldest entry found (which would move with every further entry and walk everything).
   */
  private readonly newestTimes: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly options: TimelineOptions,
    /** The skew margin, ms (`OWN_SKEW_MS` or `SHARED_SKEW_MS`). */
    private readonly margin: number,
  ) {}

  /** The Lamport clocks of the `limit` latest entries found so far, highest first. */
  private readonly topClocks: number[] = [];

  /** Takes the next commit, newest first; false when it and everything older can be left out. */
  offer(commit: StoredCommit, ref: string): boolean {
    const { limit, newestTimes, topClocks } = this;
    // Enough, and nothing left could be newer by Lamport clock unless wall clocks are far apart.
    if (newestTimes.length >= limit && commit.time < newestTimes[limit - 1]! - this.margin) return false;
    // Within the margin, a record whose clock is below the `limit` latest found cannot be shown:
    // left out without decoding it (most of what the margin walks).
    if (topClocks.length >= limit) {
      const clock = recordClockHint(commit.message);
      if (clock !== undefined && clock < topClocks[limit - 1]!) return true;
    }
    const record = commit.record;
    if (!record || this.seenRecords.has(record.id)) return true;
    this.seenRecords.add(record.id);
    if (!matches(record, this.options)) return true;
    this.found.push({ record, sha: commit.sha, ref });
    let c = Math.min(topClocks.length, limit);
    while (c > 0 && topClocks[c - 1]! < record.clock) c--;
    if (c < limit) {
      topClocks.splice(c, 0, record.clock);
      if (topClocks.length > limit) topClocks.length = limit;
    }
    let i = Math.min(newestTimes.length, limit);
    while (i > 0 && newestTimes[i - 1]! < commit.time) i--;
    if (i < limit) {
      newestTimes.splice(i, 0, commit.time);
      if (newestTimes.length > limit) newestTimes.length = limit;
    }
    return true;
  }

  /** The candidates found, in the order found. */
  records(): FoundRecord[] {
    return this.found;
  }
}

/** The timeline by reading commit by commit from every tip at once, newest first (see `Frontier`). */
async function walkTimeline(store: CoordinationStore, ordered: [string, string][], options: TimelineOptions, found: Found, margin: number): Promise<void> {
  const seenCommits = new Set<string>();
  const frontier = new Frontier();
  // Each commit's parents are asked for as it joins the frontier, so the reader answers them
  // while the walk is elsewhere. A commit that cannot be read costs only itself (null).
  const reads = new Map<string, Promise<StoredCommit | null>>();
  const read = (sha: string) => {
    let pending = reads.get(sha);
    if (!pending) reads.set(sha, (pending = store.readCommit(sha).catch(() => null)));
    return pending;
  };
  const enter = (commit: StoredCommit, ref: string) => {
    // Wall clocks of one writer may step back a little: walk a margin past `since`.
    if (options.since !== undefined && commit.time < options.since - margin) return;
    frontier.push({ commit, ref });
    for (const parent of commit.parents) if (!seenCommits.has(parent)) void read(parent);
  };
  // Every tip in one pipelined batch of reads (the reader answers them in order), not one round trip per ref.
  const tips = await Promise.all(
    ordered.map(async ([ref, tip]) => (seenCommits.has(tip) ? null : (seenCommits.add(tip), { commit: await read(tip), ref }))),
  );
  for (const tip of tips) if (tip?.commit) enter(tip.commit, tip.ref);
  for (let next = frontier.pop(); next; next = frontier.pop()) {
    const { commit, ref } = next;
    if (!found.offer(commit, ref)) break;
    const fresh = commit.parents.filter((s) => !seenCommits.has(s));
    for (const s of fresh) seenCommits.add(s);
    for (const parent of await Promise.all(fresh.map(read))) if (parent) enter(parent, ref);
  }
}

/**
 * The walk's frontier: the newest commit first (by commit time; of equal times, the one that
 * joined first, so local refs, which join first, win ties). A binary heap: a thousand refs'
 * tips are a thousand entries, and scanning them all for each commit walked was quadratic.
 */
class Frontier {
  private readonly heap: { commit: StoredCommit; ref: string; seq: number }[] = [];
  private seq = 0;

  push(entry: { commit: StoredCommit; ref: string }): void {
    const heap = this.heap;
    heap.push({ ...entry, seq: this.seq++ });
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  pop(): { commit: StoredCommit; ref: string } | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let first = i;
        if (left < heap.length && this.before(left, first)) first = left;
        if (right < heap.length && this.before(right, first)) first = right;
        if (first === i) break;
        [heap[i], heap[first]] = [heap[first]!, heap[i]!];
        i = first;
      }
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.commit.time > y.commit.time || (x.commit.time === y.commit.time && x.seq < y.seq);
  }
}

function matches(record: OrchestratorRecord, options: TimelineOptions): boolean {
  if (record.kind === 'session.heartbeat' && !options.heartbeats) return false;
  if (options.since !== undefined && record.at < options.since) return false;
  return recordConcerns(record, options);
}

function entryOf(record: OrchestratorRecord, sha: string, ref: string): TimelineEntry {
  let what: string = record.kind;
  let to: string[] = [];
  let summary = '';
  let commit: string | null = null;
  switch (record.kind) {
    case 'event':
      what = `event ${record.types.join('+')} [${record.priority}]${record.source !== 'tool' ? ` (${record.source})` : ''}`;
      to = record.targets.map((t) => (t.via.length ? `${t.role} (via ${t.via.join(' > ')})` : t.role));
      summary = record.summary;
      commit = record.commit?.sha ?? null;
      break;
    case 'session.registered':
      summary = `registered in ${record.repoPath}${record.currentTask ? `: ${record.currentTask}` : ''}`;
      break;
    case 'session.heartbeat':
      summary = record.currentTask ? `working on: ${record.currentTask}` : 'alive';
      break;
    case 'session.ended':
      summary = `ended (${record.reason})`;
      break;
    case 'delivered':
      summary = `received ${record.eventIds.join(', ')}`;
      break;
    case 'sync.requested':
      to = record.participants;
      summary = `${record.syncPointId}: ${record.description}`;
      break;
    case 'acknowledged':
      summary = `acknowledged ${record.eventIds.join(', ')}${record.note ? `: ${record.note}` : ''}`;
      break;
    case 'sync.acknowledged':
      summary = `${record.syncPointId}${record.note ? `: ${record.note}` : ''}`;
      break;
    case 'worktree':
      summary = `editing ${record.fileCount} file(s)${record.types.length ? ` (${record.types.join(', ')})` : ''}`;
      break;
    case 'topology':
      summary = record.action;
      break;
  }
  return {
    at: new Date(record.at).toISOString(),
    clock: record.clock,
    id: record.id,
    kind: record.kind,
    group: record.group,
    role: record.role,
    session: record.session ?? null,
    who: record.session ? `${record.role} (${record.session})` : record.role,
    what,
    to,
    commit,
    // Other sessions' words reach a terminal: one line, control characters escaped.
    summary: escapeControl(summary.replace(/\s+/g, ' ').trim()),
    sha,
    ref,
  };
}
