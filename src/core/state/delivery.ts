// What a session has still to receive. Routing fixed each event's target roles when it was
// written; here we only decide, per session, what is pending, over the index the fold keeps
// (`GroupState.eventsByRole` and `GroupState.deliveries` in ./fold.ts).
import { compareRecords } from '../order.js';
import type { ChangeEvent } from '../records.js';
import type { SessionFacts } from './fold.js';

/** The receiving session, as known from its registration. */
export interface Recipient {
  id: string;
  group: string;
  role: string;
  /** Lamport clock of the registration delivery counts from (`SessionFacts.firstRegistered`). */
  registeredClock: number;
  /** Wall clock (ms) of that registration. */
  registeredAt: number;
}

/**
 * The recipient a session's facts describe: its latest registration's group and role, and the
 * clock of the first registration of its current run in that group and role, so that updates
 * sent while it re-registered in place stay pending.
 */
export function recipientOf(facts: SessionFacts): Recipient {
  const { registered, firstRegistered } = facts;
  return { id: registered.session, group: registered.group, role: registered.role, registeredClock: firstRegistered.clock, registeredAt: firstRegistered.at };
}

export interface DeliveryIndex {
  /** Event ids each session has recorded as delivered. */
  bySession: Map<string, Set<string>>;
  /** Per role, per event id: the lowest clock at which any session of that role recorded it. */
  firstByRole: Map<string, Map<string, number>>;
  /** Per role, the ids of the updates a session of that role acknowledged (the fold keeps it). */
  acknowledgedByRole?: Map<string, Set<string>>;
}

/** What delivery needs of an event; callers may keep slimmer objects than whole records. */
export type Deliverable = Pick<ChangeEvent, 'id' | 'group' | 'session' | 'at' | 'clock' | 'targets' | 'ackRequired'>;

/** Events indexed by target role, each list oldest first by record order (the fold keeps it). */
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
 * Whether `event` is pending for `session`. It is when the session did not write it, its role
 * is targeted, it has not had it, the event is within retention, and either the event came
 * after the session registered or, when the session registered, no session of its role had
 * received it yet (it was sent while nobody of that role was listening, so the first sessions
 * of the role to come get it).
 */
export function isPending(session: Recipient, event: Deliverable, deliveries: DeliveryIndex, options: Pick<PendingOptions, 'now' | 'retentionMs'>): boolean {
  if (!event.targets.some((t) => t.role === session.role)) return false;
  return pendingForTargeted(session, event, deliveries.bySession.get(session.id), deliveries.firstByRole.get(session.role), oldestAllowed(options), deliveries.acknowledgedByRole?.get(session.role));
}

function pendingForTargeted(
  session: Recipient,
  event: Deliverable,
  had: ReadonlySet<string> | undefined,
  firstForRole: ReadonlyMap<string, number> | undefined,
  oldestAt: number,
  acknowledged?: ReadonlySet<string>,
): boolean {
  if (event.group !== session.group || event.session === session.id) return false;
  if (event.at < oldestAt) return false;
  // An update sent `ackRequired` stays pending for the role until one of its sessions acknowledges it.
  if (event.ackRequired) return !acknowledged?.has(event.id);
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
  const acknowledged = deliveries.acknowledgedByRole?.get(session.role);
  const oldestAt = oldestAllowed(options);
  const limit = options.limit ?? Infinity;

  const updates: E[] = [];
  let remaining = 0;
  let firstPending = candidates.length;
  for (let i = Math.max(0, options.from ?? 0); i < candidates.length; i++) {
    const event = candidates[i]!;
    if (!pendingForTargeted(session, event, had, firstForRole, oldestAt, acknowledged)) continue;
    if (firstPending === candidates.length) firstPending = i;
    if (updates.length < limit) updates.push(event);
    else remaining++;
  }
  return { updates, remaining, firstPending };
}

/**
 * `page` with `lost` ahead of it: events of pages recorded delivered whose reply never reached a
 * reader (a process killed between writing the `delivered` record and replying). They are
 * offered again, oldest first, when still meant for the session: targeted at its role, not its
 * own, within retention, not acknowledged; ackRequired events are skipped (they stay pending
 * until acknowledged anyway). `offeredAgain`: the ids put ahead of the page.
 */
export function withOfferedAgain<E extends Deliverable>(
  session: Recipient,
  page: PendingPage<E>,
  lost: readonly E[],
  deliveries: DeliveryIndex,
  options: PendingOptions,
): PendingPage<E> & { offeredAgain: string[] } {
  const acknowledged = deliveries.acknowledgedByRole?.get(session.role);
  const oldestAt = oldestAllowed(options);
  const inPage = new Set(page.updates.map((e) => e.id));
  const again = lost
    .filter((e) => e.group === session.group && e.session !== session.id && e.at >= oldestAt && !e.ackRequired &&
      !acknowledged?.has(e.id) && !inPage.has(e.id) && e.targets.some((t) => t.role === session.role))
    .sort(compareRecords);
  if (again.length === 0) return { ...page, offeredAgain: [] };
  const limit = options.limit ?? Infinity;
  const all = [...again, ...page.updates];
  return {
    updates: all.slice(0, limit),
    remaining: page.remaining + Math.max(0, all.length - limit),
    firstPending: page.firstPending,
    offeredAgain: again.map((e) => e.id),
  };
}

function sortedForRole<E extends Deliverable>(events: readonly E[], role: string): E[] {
  return events.filter((e) => e.targets.some((t) => t.role === role)).sort(compareRecords);
}
