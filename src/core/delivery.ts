// What a session has still to receive. Routing fixed each event's target roles when it was
// written; here we only decide, per session, what is pending.
import { compareRecords } from './order.js';
import type { ChangeEvent, UpdatesDelivered } from './records.js';

/** The receiving session, as known from its registration. */
export interface Recipient {
  id: string;
  group: string;
  role: string;
  /** Lamport clock of the session's registration. */
  registeredClock: number;
  /** Wall clock of the registration. */
  registeredAt: number;
}

export interface DeliveryIndex {
  /** Event ids each session has recorded as delivered. */
  bySession: Map<string, Set<string>>;
  /** Per role, per event id: the lowest clock at which any session of that role recorded it. */
  firstByRole: Map<string, Map<string, number>>;
}

/** What delivery needs of an event; callers may keep slimmer objects than whole records. */
export type Deliverable = Pick<ChangeEvent, 'id' | 'group' | 'session' | 'at' | 'clock' | 'targets'>;

/** Events indexed by target role, each list oldest first. Build once, query per session. */
export type EventsByRole<E extends Deliverable = ChangeEvent> = Map<string, E[]>;

export interface PendingOptions {
  now: number;
  /** Events older than this (ms, by their wall clock) are no longer delivered. Default: no limit. */
  retentionMs?: number;
  /** Page size. Default: everything. */
  limit?: number;
  /**
   * Where to start in the role's list (an earlier page's `firstPending`): events before it were
   * found not pending, and an event never becomes pending again once it is not.
   */
  from?: number;
}

export interface PendingPage<E extends Deliverable = ChangeEvent> {
  /** Oldest first. */
  updates: E[];
  /** Pending updates not in this page. */
  remaining: number;
  /** Index in the role's list of the first pending event (the list's length when none): the next `from`. */
  firstPending: number;
}

/**
 * Indexes delivery records. A session's role is taken from `roleOfSession` when given,
 * else from the record (the writer's role).
 */
export function indexDeliveries(
  records: Iterable<Pick<UpdatesDelivered, 'session' | 'role' | 'clock' | 'eventIds'>>,
  roleOfSession?: ReadonlyMap<string, string>,
): DeliveryIndex {
  const bySession = new Map<string, Set<string>>();
  const firstByRole = new Map<string, Map<string, number>>();
  for (const r of records) {
    let ids = bySession.get(r.session);
    if (!ids) bySession.set(r.session, (ids = new Set()));
    const role = roleOfSession?.get(r.session) ?? r.role;
    let first = firstByRole.get(role);
    if (!first) firstByRole.set(role, (first = new Map()));
    for (const id of r.eventIds) {
      ids.add(id);
      const seen = first.get(id);
      if (seen === undefined || r.clock < seen) first.set(id, r.clock);
    }
  }
  return { bySession, firstByRole };
}

export function indexEventsByRole<E extends Deliverable>(events: Iterable<E>): EventsByRole<E> {
  const byRole: EventsByRole<E> = new Map();
  for (const e of events) {
    // A role listed twice in targets must not duplicate the event.
    for (const role of new Set(e.targets.map((t) => t.role))) {
      let list = byRole.get(role);
      if (!list) byRole.set(role, (list = []));
      list.push(e);
    }
  }
  for (const list of byRole.values()) list.sort(compareRecords);
  return byRole;
}

/**
 * Whether `event` is pending for `session`. It is when the session did not write it, its role
 * is targeted, it has not had it, the event is within retention, and either the event came
 * after the session registered or, when the session registered, no session of its role had
 * received it yet (it was sent while nobody of that role was listening, so the first sessions
 * of the role to come get it).
 */
export function isPending(session: Recipient, event: Deliverable, deliveries: DeliveryIndex, options: Pick<PendingOptions, 'now' | 'retentionMs'>): boolean {
  if (!event.targets.some((t) => t.role === session.role)) return false;
  return pendingForTargeted(session, event, deliveries.bySession.get(session.id), deliveries.firstByRole.get(session.role), oldestAllowed(options));
}

function pendingForTargeted(
  session: Recipient,
  event: Deliverable,
  had: ReadonlySet<string> | undefined,
  firstForRole: ReadonlyMap<string, number> | undefined,
  oldestAt: number,
): boolean {
  if (event.group !== session.group || event.session === session.id) return false;
  if (event.at < oldestAt) return false;
  if (had?.has(event.id)) return false;
  if (event.clock >= session.registeredClock) return true;
  const first = firstForRole?.get(event.id);
  return first === undefined || first >= session.registeredClock;
}

function oldestAllowed(options: Pick<PendingOptions, 'now' | 'retentionMs'>): number {
  return options.retentionMs === undefined ? -Infinity : options.now - options.retentionMs;
}

/** The session's pending updates, oldest first by (clock, at, id), one page at a time. */
export function pendingUpdates<E extends Deliverable>(
  session: Recipient,
  events: readonly E[] | EventsByRole<E>,
  deliveries: DeliveryIndex,
  options: PendingOptions,
): PendingPage<E> {
  const candidates = events instanceof Map ? (events.get(session.role) ?? []) : sortedForRole(events, session.role);
  const had = deliveries.bySession.get(session.id);
  const firstForRole = deliveries.firstByRole.get(session.role);
  const oldestAt = oldestAllowed(options);
  const limit = options.limit ?? Infinity;

  const updates: E[] = [];
  let remaining = 0;
  let firstPending = candidates.length;
  for (let i = Math.max(0, options.from ?? 0); i < candidates.length; i++) {
    const event = candidates[i]!;
    if (!pendingForTargeted(session, event, had, firstForRole, oldestAt)) continue;
    if (firstPending === candidates.length) firstPending = i;
    if (updates.length < limit) updates.push(event);
    else remaining++;
  }
  return { updates, remaining, firstPending };
}

function sortedForRole<E extends Deliverable>(events: readonly E[], role: string): E[] {
  return events.filter((e) => e.targets.some((t) => t.role === role)).sort(compareRecords);
}
