// What a client's hooks show a session unasked: its new pending updates and the sync points
// waiting on it, each once, the urgent ones listed and the rest counted. Pure.
import { compareRecords } from './order.js';
import type { ChangeEvent } from './records.js';
import type { SyncPointState } from './state/syncpoints.js';
import type { Priority } from './types.js';

/** An update as the receiving role sees it: the priority routing gave that role. */
export interface ListedUpdate {
  event: ChangeEvent;
  priority: Priority;
  /** Roles the change travelled through before reaching this role. */
  via: string[];
  /** Who wrote it, as the reader's records say (filled by the application): the session and its host. */
  origin?: { session: string; host?: string };
}

export interface AnnounceOptions {
  /** The receiving session's role. */
  role: string;
  /** Ids (updates and sync points) already shown to the session; skipped. */
  announced?: ReadonlySet<string>;
  /** Most updates listed one per line (default 5); the others are counted. */
  maxListed?: number;
  /** Lowest priority listed one per line (default `high`); lower ones are only counted. */
  listFrom?: Priority;
}

export interface Announcement {
  /** Listed updates: critical first, then high, oldest first within a priority. */
  listed: ListedUpdate[];
  /** Updates not listed, by priority. */
  counted: Record<Priority, number>;
  countedTotal: number;
  /** Sync points waiting on the role that were not shown before, oldest first. */
  syncPoints: SyncPointState[];
  /** Everything shown or counted: to record as announced. */
  eventIds: string[];
  syncPointIds: string[];
  /** Nothing new to show. */
  empty: boolean;
}

const RANK: Record<Priority, number> = { critical: 3, high: 2, normal: 1, low: 0 };

export function priorityFor(event: ChangeEvent, role: string): ListedUpdate {
  const target = event.targets.find((t) => t.role === role);
  return { event, priority: target?.priority ?? event.priority, via: target?.via ?? [] };
}

/** Most urgent first; oldest first within one priority. */
export function byUrgency(a: ListedUpdate, b: ListedUpdate): number {
  return RANK[b.priority] - RANK[a.priority] || compareRecords(a.event, b.event);
}

/**
 * From the session's pending updates and the pending sync points waiting on its role, what to
 * show now: those not announced before, urgent updates listed, the rest counted.
 */
export function selectAnnouncement(
  pending: readonly ChangeEvent[],
  waiting: readonly SyncPointState[],
  options: AnnounceOptions,
): Announcement {
  const announced = options.announced ?? new Set<string>();
  const maxListed = options.maxListed ?? 5;
  const listFrom = RANK[options.listFrom ?? 'high'];
  const fresh = pending.filter((e) => !announced.has(e.id)).map((e) => priorityFor(e, options.role)).sort(byUrgency);
  const listed: ListedUpdate[] = [];
  const counted: Record<Priority, number> = { critical: 0, high: 0, normal: 0, low: 0 };
  for (const update of fresh) {
    if (RANK[update.priority] >= listFrom && listed.length < maxListed) listed.push(update);
    else counted[update.priority]++;
  }
  const syncPoints = waiting
    .filter((s) => s.status === 'pending' && s.remaining.includes(options.role) && !announced.has(s.syncPointId));
  return {
    listed,
    counted,
    countedTotal: fresh.length - listed.length,
    syncPoints,
    eventIds: fresh.map((u) => u.event.id),
    syncPointIds: syncPoints.map((s) => s.syncPointId),
    empty: fresh.length === 0 && syncPoints.length === 0,
  };
}

export interface Unanswered {
  /** Critical updates the session has not read (get_cross_project_updates marks them read). */
  critical: ListedUpdate[];
  /** Pending sync points still waiting on the role. */
  syncPoints: SyncPointState[];
  /** Updates sent `ackRequired` that no session of the role has acknowledged yet (critical ones are in `critical`). */
  toAcknowledge: ListedUpdate[];
  /** Whether the session should not stop yet. */
  block: boolean;
}

/**
 * What keeps a session from stopping: unread critical updates, sync points waiting on it, and
 * updates sent `ackRequired` that its role has not acknowledged (they stay pending until then).
 */
export function unanswered(pending: readonly ChangeEvent[], waiting: readonly SyncPointState[], role: string): Unanswered {
  const listed = pending.map((e) => priorityFor(e, role));
  const critical = listed.filter((u) => u.priority === 'critical').sort(byUrgency);
  const toAcknowledge = listed.filter((u) => u.event.ackRequired && u.priority !== 'critical').sort(byUrgency);
  const syncPoints = waiting.filter((s) => s.status === 'pending' && s.remaining.includes(role));
  return { critical, syncPoints, toAcknowledge, block: critical.length > 0 || syncPoints.length > 0 || toAcknowledge.length > 0 };
}
