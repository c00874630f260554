// The coordination history for people: a timeline over every ref (this machine's and the remotes'
// copies), newest first. Reads only what it shows: the timeline walks all
// tips at once, newest commit first, and stops once it has enough.
import { compareRecords } from '../../core/order.js';
import { recordConcerns, type OrchestratorRecord } from '../../core/records.js';
import type { CoordinationStore, StoredCommit } from '../../store/index.js';
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

/** How far (ms) wall clocks may disagree before the order by Lamport clock could be missed. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The newest `limit` entries matching the filters, newest first. */
export async function log(ctx: AppContext, options: TimelineOptions = {}): Promise<TimelineEntry[]> {
  return readTimeline(ctx.store, options);
}

export async function readTimeline(store: CoordinationStore, options: TimelineOptions = {}): Promise<TimelineEntry[]> {
  const limit = options.limit ?? 20;
  if (limit <= 0) return [];
  const refs = await store.listRefs();
  const seenCommits = new Set<string>();
  const seenRecords = new Set<string>();
  const frontier: { commit: StoredCommit; ref: string }[] = [];
  const push = async (shas: string[], ref: string) => {
    const fresh = shas.filter((s) => !seenCommits.has(s));
    for (const s of fresh) seenCommits.add(s);
    // A commit that cannot be read (a damaged ref: `status` names it) costs only itself.
    const read = await Promise.allSettled(fresh.map((s) => store.readCommit(s)));
    for (const commit of read.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))) {
      // Wall clocks of one writer may step back a little: walk a margin past `since`.
      if (options.since === undefined || commit.time >= options.since - CLOCK_SKEW_MS) frontier.push({ commit, ref });
    }
  };
  // Local refs first, so a record found both here and in a remote copy is shown with its local ref.
  const ordered = [...refs].sort(([a], [b]) => Number(a.startsWith('refs/remotes/')) - Number(b.startsWith('refs/remotes/')));
  // Every tip in one pipelined batch of reads (the reader answers them in order), not one round trip per ref.
  // A tip that cannot be read (a damaged ref: `status` names it) costs only itself.
  const tips = await Promise.all(
    ordered.map(([ref, tip]) => (seenCommits.has(tip) ? null : (seenCommits.add(tip), store.readCommit(tip).then((commit) => ({ commit, ref }), () => null)))),
  );
  for (const tip of tips) if (tip && (options.since === undefined || tip.commit.time >= options.since - CLOCK_SKEW_MS)) frontier.push(tip);
  const found: TimelineEntry[] = [];
  // The commit times of the `limit` newest entries found so far, newest first: the walk stops once
  // the next commit is older than the last of them by more than the skew margin. A fixed bound,
  // not the oldest entry found (which would move with every further entry and walk everything).
  const newestTimes: number[] = [];
  while (frontier.length > 0) {
    let newest = 0;
    for (let i = 1; i < frontier.length; i++) if (frontier[i]!.commit.time > frontier[newest]!.commit.time) newest = i;
    const { commit, ref } = frontier.splice(newest, 1)[0]!;
    // Enough, and nothing left could be newer by Lamport clock unless wall clocks are far apart.
    if (newestTimes.length >= limit && commit.time < newestTimes[limit - 1]! - CLOCK_SKEW_MS) break;
    const record = commit.record;
    if (record && !seenRecords.has(record.id) && matches(record, options)) {
      seenRecords.add(record.id);
      found.push(entryOf(record, commit.sha, ref));
      let i = Math.min(newestTimes.length, limit);
      while (i > 0 && newestTimes[i - 1]! < commit.time) i--;
      if (i < limit) {
        newestTimes.splice(i, 0, commit.time);
        if (newestTimes.length > limit) newestTimes.length = limit;
      }
    } else if (record) seenRecords.add(record.id);
    await push(commit.parents, ref);
  }
  found.sort((a, b) => compareEntries(b, a));
  return found.slice(0, limit);
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

/** Record order (Lamport clock, wall clock, id); entries carry `at` as ISO text for people. */
function compareEntries(a: TimelineEntry, b: TimelineEntry): number {
  return compareRecords({ clock: a.clock, at: Date.parse(a.at), id: a.id }, { clock: b.clock, at: Date.parse(b.at), id: b.id });
}
