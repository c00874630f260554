// The timeline a person pages through (the dashboard's): records newest first over every ref,
// filtered, each update with its delivery state per recipient role. Reads only the pages asked
// for: a newest-first walk over all ref tips, resumable from a cursor, bounded per page.
import { OrchestratorError } from '../../core/errors.js';
import { recordConcerns, type OrchestratorRecord } from '../../core/records.js';
import type { AppContext } from '../context.js';
import { sessionView } from '../sessions.js';

/** The timeline's filters and position. */
export interface TimelineQuery {
  group?: string;
  /** Records written by this role or addressed to it. */
  role?: string;
  /** Only change events of this type. */
  changeType?: string;
  /** Also heartbeats, delivery receipts and announcements (left out by default). */
  all?: boolean;
  /** `next` of the previous page; absent: the newest records. */
  cursor?: string;
  /** Entries per page (default 50, at most 200). */
  limit?: number;
}

/** Whether an update reached a recipient role: `unknown` past the retention window. */
export type DeliveryState = 'delivered' | 'acknowledged' | 'queued' | 'unknown';

export interface TimelineTarget {
  role: string;
  /** Roles the update travelled through (`frontend` hears of `auth` via `gateway`). */
  via: string[];
  delivery: DeliveryState;
  /** Live (active) sessions of that role now: 0 means a queued update waits for the next one. */
  liveSessions: number;
}

export interface TimelineItem {
  id: string;
  kind: OrchestratorRecord['kind'];
  /** ISO wall-clock time of the record. */
  at: string;
  group: string;
  role: string;
  session: string | null;
  /** `event schema_change [high]`, `sync.requested`, `session.registered`... */
  what: string;
  /** Change types of an event; empty otherwise. */
  changeTypes: string[];
  /** Recipients of an event, each with its delivery state; participants of a sync point (delivery `unknown`). */
  to: TimelineTarget[];
  /** Text written by a session or a commit author: always shown as text, never as HTML. */
  summary: string;
  /** The member repo's commit of an ingested change. */
  commit: string | null;
  /**
   * An event's contract digest (`DELETE /v1/login removed (breaking)`, at most 400 bytes), when it
   * carries contract files; null otherwise. Written by a session or an ingester: text, never HTML.
   */
  contract: string | null;
  /** The coordination commit carrying the record, and the ref it was found on. */
  sha: string;
  ref: string;
}

export interface TimelinePage {
  /** Newest first. */
  entries: TimelineItem[];
  /** Cursor of the next (older) page; null at the beginning of history. */
  next: string | null;
  /** Records looked at for this page (filters may skip many). */
  scanned: number;
  /**
   * True while the history is still being read for the first time (seconds on a long one): the
   * page comes at once, with delivery states `unknown`; ask again once `overview()` returned.
   */
  deliveryPending: boolean;
}

/** The cursor is older than what the pager keeps (HTTP 410 for the dashboard). */
export class ExpiredCursorError extends OrchestratorError {
  constructor() {
    super('EXPIRED_CURSOR', 'this page of the timeline is no longer known', 'start again from the newest records');
  }
}

/** Timeline records looked at per request at most, so a filter matching little stays bounded. */
const SCAN_BUDGET = 2_000;
/** Cursors kept (each is one frontier over the refs, a few KB). */
const MAX_CURSORS = 200;
const KINDS_HIDDEN_BY_DEFAULT = new Set(['session.heartbeat', 'delivered', 'announced']);

interface Head {
  sha: string;
  ref: string;
  /** Record time (ms), or the commit time for commits without a record. */
  at: number;
  parents: string[];
  record: OrchestratorRecord | undefined;
}

interface Walk {
  frontier: Head[];
  /**
   * Commits and records met lately: the same commit is reached from a ref and from a remote's
   * copy of it, and the same record from a pruned chain and its restart, at nearly the same time
   * in the walk. Only the latest few thousand are kept, so a cursor stays small on any history.
   */
  seenCommits: RecentSet;
  seenRecords: RecentSet;
}

/** A set that forgets its oldest members beyond `limit`. */
class RecentSet {
  private readonly items: Set<string>;
  constructor(from: Iterable<string> = [], private readonly limit = 4096) {
    this.items = new Set(from);
  }
  has(item: string): boolean {
    return this.items.has(item);
  }
  add(item: string): void {
    this.items.add(item);
    if (this.items.size > this.limit) this.items.delete(this.items.values().next().value!);
  }
  copy(): RecentSet {
    return new RecentSet(this.items, this.limit);
  }
}

/** Pages of the timeline for one reader; holds the cursors it handed out (MAX_CURSORS at most). */
export class TimelinePager {
  private readonly cursors = new Map<string, Walk>();
  private cursorCount = 0;
  /** Whether the folded state (sessions, deliveries, sync points) has been read once. */
  private folded = false;

  constructor(private readonly ctx: AppContext) {}

  /** Brings the folded state up to date: the whole retained history the first time, then only what is new. */
  private async fold(): Promise<void> {
    await this.ctx.records.refresh();
    this.folded = true;
  }

  /** One page; throws ExpiredCursorError for a cursor it no longer knows. */
  async page(query: TimelineQuery): Promise<TimelinePage> {
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 50)), 200);
    // Delivery states come from the folded state: bring it up to date (reads only what is new),
    // unless it is still being read for the first time; then the page comes without them.
    const deliveryPending = !this.folded;
    if (deliveryPending) void this.fold().catch(() => undefined);
    else await this.fold();
    let walk: Walk;
    if (query.cursor) {
      const saved = this.cursors.get(query.cursor);
      if (!saved) throw new ExpiredCursorError();
      walk = { frontier: [...saved.frontier], seenCommits: saved.seenCommits.copy(), seenRecords: saved.seenRecords.copy() };
    } else {
      walk = { frontier: [], seenCommits: new RecentSet(), seenRecords: new RecentSet() };
      // Local refs first, so a record found both here and in a remote's copy shows its local ref.
      const refs = [...(await this.ctx.store.listRefs())].sort(
        ([a], [b]) => Number(a.startsWith('refs/remotes/')) - Number(b.startsWith('refs/remotes/')),
      );
      for (const [ref, tip] of refs) await this.enqueue(walk, [tip], ref);
    }
    const entries: TimelineItem[] = [];
    let scanned = 0;
    while (walk.frontier.length > 0 && entries.length < limit && scanned < SCAN_BUDGET) {
      // The newest head of all refs next: each ref's chain is newest first, so this merges them.
      let newest = 0;
      for (let i = 1; i < walk.frontier.length; i++) if (walk.frontier[i]!.at > walk.frontier[newest]!.at) newest = i;
      const head = walk.frontier.splice(newest, 1)[0]!;
      scanned++;
      await this.enqueue(walk, head.parents, head.ref);
      const record = head.record;
      if (!record || walk.seenRecords.has(record.id)) continue;
      walk.seenRecords.add(record.id);
      if (matches(record, query)) entries.push(this.itemOf(record, head, deliveryPending));
    }
    return { entries, next: walk.frontier.length > 0 ? this.saveCursor(walk) : null, scanned, deliveryPending };
  }

  private async enqueue(walk: Walk, shas: string[], ref: string): Promise<void> {
    const fresh = shas.filter((s) => !walk.seenCommits.has(s));
    for (const s of fresh) walk.seenCommits.add(s);
    const commits = await Promise.all(fresh.map((s) => this.ctx.store.readCommit(s)));
    for (const c of commits) walk.frontier.push({ sha: c.sha, ref, at: c.record?.at ?? c.time, parents: c.parents, record: c.record });
  }

  private saveCursor(walk: Walk): string {
    const id = `c${++this.cursorCount}${Math.random().toString(36).slice(2, 8)}`;
    this.cursors.set(id, walk);
    if (this.cursors.size > MAX_CURSORS) this.cursors.delete(this.cursors.keys().next().value!);
    return id;
  }

  private itemOf(record: OrchestratorRecord, head: Head, deliveryPending: boolean): TimelineItem {
    const base = {
      id: record.id,
      kind: record.kind,
      at: new Date(record.at).toISOString(),
      group: record.group,
      role: record.role,
      session: record.session ?? null,
      sha: head.sha,
      ref: head.ref,
    };
    switch (record.kind) {
      case 'event': {
        const state = this.ctx.state.group(record.group);
        const known = !deliveryPending && state.eventsById.has(record.id);
        const live = this.liveSessionsByRole(record.group);
        return {
          ...base,
          what: `event ${record.types.join('+')} [${record.priority}]${record.source !== 'tool' ? ` (${record.source})` : ''}`,
          changeTypes: [...record.types],
          to: record.targets.map((t) => ({
            role: t.role,
            via: [...t.via],
            delivery: !known ? 'unknown'
              : state.updateStates.get(record.id)?.get(t.role)?.acknowledged ? 'acknowledged'
              : state.deliveries.firstByRole.get(t.role)?.has(record.id) || state.updateStates.get(record.id)?.has(t.role) ? 'delivered' : 'queued',
            liveSessions: live.get(t.role) ?? 0,
          })),
          summary: record.summary,
          commit: record.commit?.sha ?? null,
          contract: record.contract?.digest || null,
        };
      }
      case 'sync.requested':
        return {
          ...base,
          what: 'sync point requested',
          changeTypes: [],
          to: record.participants.map((role) => ({ role, via: [], delivery: 'unknown', liveSessions: this.liveSessionsByRole(record.group).get(role) ?? 0 })),
          summary: `${record.description} (${record.syncPointId})`,
          commit: null,
          contract: null,
        };
      default:
        return { ...base, what: WHAT[record.kind] ?? record.kind, changeTypes: [], to: [], summary: summaryOf(record), commit: null, contract: null };
    }
  }

  private liveSessionsByRole(group: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const facts of this.ctx.state.group(group).sessions.values()) {
      if (sessionView(this.ctx, facts).status !== 'active') continue;
      out.set(facts.registered.role, (out.get(facts.registered.role) ?? 0) + 1);
    }
    return out;
  }
}

const WHAT: Partial<Record<OrchestratorRecord['kind'], string>> = {
  'session.registered': 'session started',
  'session.heartbeat': 'heartbeat',
  'session.ended': 'session ended',
  delivered: 'received updates',
  'sync.acknowledged': 'sync point acknowledged',
  acknowledged: 'acknowledged updates',
  worktree: 'uncommitted edits',
  announced: 'shown updates',
  topology: 'topology changed',
};

function summaryOf(record: OrchestratorRecord): string {
  switch (record.kind) {
    case 'session.registered':
      return `in ${record.repoPath}${record.currentTask ? `: ${record.currentTask}` : ''}`;
    case 'session.heartbeat':
      return record.currentTask ? `working on: ${record.currentTask}` : 'alive';
    case 'session.ended':
      return record.reason;
    case 'delivered':
      return `${record.eventIds.length} update(s): ${record.eventIds.slice(0, 5).join(', ')}${record.eventIds.length > 5 ? ', ...' : ''}`;
    case 'acknowledged':
      return `${record.eventIds.join(', ')}${record.note ? `: ${record.note}` : ''}`;
    case 'sync.acknowledged':
      return `${record.syncPointId}${record.note ? `: ${record.note}` : ''}`;
    case 'worktree':
      return `${record.fileCount} file(s)${record.types.length ? ` (${record.types.join(', ')})` : ''}`;
    case 'announced':
      return `${record.eventIds.length} update(s), ${record.syncPointIds.length} sync point(s)`;
    case 'topology':
      return record.action;
    default:
      return '';
  }
}

function matches(record: OrchestratorRecord, query: TimelineQuery): boolean {
  if (!query.all && KINDS_HIDDEN_BY_DEFAULT.has(record.kind)) return false;
  if (query.changeType && (record.kind !== 'event' || !record.types.includes(query.changeType as never))) return false;
  return recordConcerns(record, query);
}
