// Everything the dashboard shows, read from the coordination repo through the application layer.
// This is the dashboard's only data access: the server and the page see the shapes declared
// here and nothing else, so the source behind them can change without touching either.
//
// Read-only: it never appends a record, never commits the topology (it validates topology.yml
// without recording hand edits) and refuses to create a missing coordination repo.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { buildStatus, type StatusRemote } from '../app/history.js';
import { openApp, type OpenedApp } from '../app/open.js';
import { readSyncStates } from '../app/sync.js';
import { resolveHome } from '../config/home.js';
import { CHANGE_TYPES, type Topology } from '../core/types.js';
import type { OrchestratorRecord } from '../core/records.js';

// ---- what the page needs ------------------------------------------------------------------

/** A session as the graph shows it (ended sessions are left out). */
export interface DashboardSession {
  sessionId: string;
  status: 'active' | 'stale';
  currentTask: string | null;
  /** ISO time of the last record the session wrote. */
  lastSeen: string;
  host: string;
}

/** One member of a group: a node of the graph. */
export interface DashboardMember {
  role: string;
  /** The member repo's path as the topology gives it; null for a role known only from records. */
  path: string | null;
  /** Roles this one depends on: the graph's arrows point from `role` to each of these. */
  dependsOn: string[];
  sessions: DashboardSession[];
}

/** A pending sync point: who asked, who acknowledged, who remains. */
export interface DashboardSyncPoint {
  syncPointId: string;
  description: string;
  requestedBy: { role: string; sessionId: string };
  participants: string[];
  acknowledgedBy: string[];
  /** Roles not heard from yet, each with its live sessions (empty: nobody of that role runs). */
  remaining: { role: string; sessions: string[] }[];
  /** ISO time after which it expires. */
  expiresAt: string;
}

export interface DashboardGroup {
  name: string;
  description: string | null;
  members: DashboardMember[];
  syncPoints: DashboardSyncPoint[];
}

/** Per remote: the last sync and its result (from the sync state files `sync` and auto-sync write). */
export type DashboardRemote = StatusRemote;

/** Everything but the timeline: refetched whenever `version()` changes. */
export interface DashboardOverview {
  /** ISO time the overview was read (liveness is relative to it). */
  generatedAt: string;
  groups: DashboardGroup[];
  remotes: DashboardRemote[];
  /** Topology errors, unreadable records, topology conflicts: text for people. */
  problems: string[];
  /** Values the timeline can be filtered by. */
  filters: { groups: string[]; roles: string[]; changeTypes: string[] };
}

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
export type DeliveryState = 'delivered' | 'queued' | 'unknown';

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

/** The dashboard's data source. */
export interface DashboardData {
  /**
   * A fingerprint that changes when anything shown may have changed: any ref tip (a record
   * written by any process, a fetch), the topology file, a sync result. Cheap: no objects read.
   */
  version(): Promise<string>;
  overview(): Promise<DashboardOverview>;
  /** One page of the timeline; throws `ExpiredCursorError` for a cursor it no longer knows. */
  timeline(query: TimelineQuery): Promise<TimelinePage>;
  close(): Promise<void>;
}

export class ExpiredCursorError extends Error {
  constructor() {
    super('this page of the timeline is no longer known; start again from the newest records');
    this.name = 'ExpiredCursorError';
  }
}

export class MissingRepoError extends Error {
  readonly code = 'MISSING_REPO';
  constructor(readonly gitDir: string) {
    super(`no coordination repo at ${gitDir}`);
    this.name = 'MissingRepoError';
  }
}

// ---- today's source: the application layer ------------------------------------------------

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

/** Opens the coordination repo of `env` (never creates it) with the application layer. */
export async function openDashboardData(env: NodeJS.ProcessEnv): Promise<DashboardData> {
  const paths = resolveHome(env);
  if (!existsSync(paths.repoGitDir)) throw new MissingRepoError(paths.repoGitDir);
  const app = await openApp({ env, owner: 'cli' });
  return new AppDashboardData(app);
}

class AppDashboardData implements DashboardData {
  private readonly cursors = new Map<string, Walk>();
  private cursorCount = 0;
  /** Whether the folded state (sessions, deliveries, sync points) has been read once. */
  private folded = false;

  constructor(private readonly app: OpenedApp) {}

  /** Brings the folded state up to date: the whole retained history the first time, then only what is new. */
  private async fold(): Promise<void> {
    await this.app.orchestrator.index.refresh();
    this.folded = true;
  }

  async version(): Promise<string> {
    const refs = [...(await this.app.store.listRefs())].sort(([a], [b]) => (a < b ? -1 : 1));
    const topology = await stat(this.app.paths.topologyFile).then((s) => `${s.size}:${s.mtimeMs}`, () => 'none');
    const sync = readSyncStates(this.app.paths.home).map((s) => `${s.remote}:${s.last.at}:${s.last.ok}`);
    const hash = createHash('sha1');
    for (const [ref, sha] of refs) hash.update(`${ref} ${sha}\n`);
    hash.update(`${topology}\n${sync.join('\n')}`);
    return hash.digest('hex').slice(0, 16);
  }

  async overview(): Promise<DashboardOverview> {
    const { orchestrator, paths } = this.app;
    const problems: string[] = [];
    const topology = await this.readTopology(problems);
    await this.fold();
    const status = await buildStatus(orchestrator, paths.home);
    const names = new Set([...Object.keys(topology?.groups ?? {}), ...status.groups.filter((g) => g.sessions.length > 0).map((g) => g.name)]);
    const groups: DashboardGroup[] = [];
    for (const name of [...names].sort()) {
      const declared = topology?.groups[name];
      const reported = status.groups.find((g) => g.name === name);
      const members: DashboardMember[] = (declared?.members ?? []).map((m) => ({ role: m.role, path: m.path, dependsOn: [...m.dependsOn], sessions: [] }));
      for (const s of reported?.sessions ?? []) {
        if (s.status === 'ended') continue;
        let member = members.find((m) => m.role === s.role);
        if (!member) members.push((member = { role: s.role, path: null, dependsOn: [], sessions: [] }));
        member.sessions.push({ sessionId: s.sessionId, status: s.status, currentTask: s.currentTask, lastSeen: s.lastHeartbeat, host: s.host });
      }
      groups.push({
        name,
        description: declared?.description ?? null,
        members,
        syncPoints: (reported?.pendingSyncPoints ?? []).map((p) => ({
          syncPointId: p.syncPointId,
          description: p.description,
          requestedBy: { role: p.requestedBy.role, sessionId: p.requestedBy.sessionId },
          participants: p.participants,
          acknowledgedBy: p.acknowledgedBy,
          remaining: p.waitingFor,
          expiresAt: p.expiresAt,
        })),
      });
    }
    for (const c of status.conflicts) problems.push(`topology conflict with ${c.remote}: theirs is in ${c.file}`);
    problems.push(...status.problems);
    const roles = new Set<string>();
    for (const g of groups) for (const m of g.members) roles.add(m.role);
    return {
      generatedAt: new Date().toISOString(),
      groups,
      remotes: status.remotes,
      problems,
      filters: { groups: groups.map((g) => g.name), roles: [...roles].sort(), changeTypes: [...CHANGE_TYPES] },
    };
  }

  async timeline(query: TimelineQuery): Promise<TimelinePage> {
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
      const refs = [...(await this.app.store.listRefs())].sort(
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

  async close(): Promise<void> {
    await this.app.close('dashboard');
  }

  private async enqueue(walk: Walk, shas: string[], ref: string): Promise<void> {
    const fresh = shas.filter((s) => !walk.seenCommits.has(s));
    for (const s of fresh) walk.seenCommits.add(s);
    const commits = await Promise.all(fresh.map((s) => this.app.store.readCommit(s)));
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
        const state = this.app.orchestrator.state.group(record.group);
        const known = !deliveryPending && state.eventsById.has(record.id);
        const live = this.liveSessionsByRole(record.group);
        return {
          ...base,
          what: `event ${record.types.join('+')} [${record.priority}]${record.source !== 'tool' ? ` (${record.source})` : ''}`,
          changeTypes: [...record.types],
          to: record.targets.map((t) => ({
            role: t.role,
            via: [...t.via],
            delivery: !known ? 'unknown' : state.deliveries.firstByRole.get(t.role)?.has(record.id) ? 'delivered' : 'queued',
            liveSessions: live.get(t.role) ?? 0,
          })),
          summary: record.summary,
          commit: record.commit?.sha ?? null,
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
        };
      default:
        return { ...base, what: WHAT[record.kind] ?? record.kind, changeTypes: [], to: [], summary: summaryOf(record), commit: null };
    }
  }

  private liveSessionsByRole(group: string): Map<string, number> {
    const out = new Map<string, number>();
    const { orchestrator } = this.app;
    for (const facts of orchestrator.state.group(group).sessions.values()) {
      if (orchestrator.sessionView(facts).status !== 'active') continue;
      out.set(facts.registered.role, (out.get(facts.registered.role) ?? 0) + 1);
    }
    return out;
  }

  /** topology.yml as it is (validated, never recorded), else the coordination repo's copy. */
  private async readTopology(problems: string[]): Promise<Topology | null> {
    const { topology, store, paths } = this.app;
    let text = await readFile(paths.topologyFile, 'utf8').catch(() => null);
    if (text === null) text = (await store.readTopology().catch(() => null))?.text ?? null;
    if (text === null) return null;
    const parsed = topology.validate(text);
    for (const error of parsed.errors) problems.push(`topology: ${error.message}`);
    return parsed.topology ?? null;
  }
}

const WHAT: Partial<Record<OrchestratorRecord['kind'], string>> = {
  'session.registered': 'session started',
  'session.heartbeat': 'heartbeat',
  'session.ended': 'session ended',
  delivered: 'received updates',
  'sync.acknowledged': 'sync point acknowledged',
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
  if (query.group && record.group !== query.group && record.group !== '*') return false;
  if (query.changeType && (record.kind !== 'event' || !record.types.includes(query.changeType as never))) return false;
  if (query.role) {
    const addressed =
      (record.kind === 'event' && record.targets.some((t) => t.role === query.role)) ||
      (record.kind === 'sync.requested' && record.participants.includes(query.role));
    if (record.role !== query.role && !addressed) return false;
  }
  return true;
}
