// Sync points: a barrier a session raises and sessions of the participating roles acknowledge.
// Queries over the folded state (`GroupState.syncRequests` and `syncAcks` in ./fold.ts), which
// keeps the first request of each id (by record order) and each acknowledgement once.
import { dependentsOf, memberByRole, rolesOf } from '../graph.js';
import { compareRecords } from '../order.js';
import type { SyncAcknowledged, SyncRequested } from '../records.js';
import type { Group } from '../types.js';

export type SyncStatus = 'pending' | 'resolved' | 'expired';

export interface SyncPointState {
  syncPointId: string;
  description: string;
  requestedBy: { session: string; role: string };
  participants: string[];
  /** Participating roles that acknowledged in time, in the order they did. */
  acknowledgedBy: string[];
  /** Participating roles still to acknowledge, in participant order. */
  remaining: string[];
  status: SyncStatus;
  expiresAt: number;
  /** Wall clock of the acknowledgement that completed it. */
  resolvedAt?: number;
}

export interface SyncPointOptions {
  /** Wall clock (ms) now. */
  now: number;
  /** Role of each acknowledging session; defaults to the role on the ack record. */
  roleOfSession?: ReadonlyMap<string, string>;
  /**
   * A time a session wrote (its `at`, its deadline), read on the caller's clock: other machines'
   * clocks may be off (core/clock-skew.ts). Default: as written.
   */
  localTime?: (session: string | undefined, at: number) => number;
}

/**
 * State of one sync point, from its request (`GroupState.syncRequests.get(id)`) and its
 * acknowledgements (`GroupState.syncAcks.get(id)`, in any order). Any session of a participating role acknowledges for the role;
 * acknowledgements from other roles, for other sync points, or written after `expiresAt` do
 * not count — if the deadline passed before the last participant acknowledged, it expired.
 */
export function syncPointState(request: SyncRequested, acks: Iterable<SyncAcknowledged>, options: SyncPointOptions): SyncPointState {
  const participants = [...new Set(request.participants)];
  const waiting = new Set(participants);
  const acknowledgedBy: string[] = [];
  let resolvedAt: number | undefined;

  const local = options.localTime ?? ((_session: string | undefined, at: number) => at);
  const expiresAt = local(request.session, request.expiresAt);
  const inTime = [...acks].filter((a) => a.syncPointId === request.syncPointId && local(a.session, a.at) <= expiresAt).sort(compareRecords);
  for (const ack of inTime) {
    const role = options.roleOfSession?.get(ack.session) ?? ack.role;
    if (!waiting.delete(role)) continue;
    acknowledgedBy.push(role);
    if (waiting.size === 0) {
      resolvedAt = local(ack.session, ack.at);
      break;
    }
  }

  const remaining = participants.filter((r) => waiting.has(r));
  const status: SyncStatus = remaining.length === 0 ? 'resolved' : options.now > expiresAt ? 'expired' : 'pending';
  return {
    syncPointId: request.syncPointId,
    description: request.description,
    requestedBy: { session: request.session, role: request.role },
    participants,
    acknowledgedBy,
    remaining,
    status,
    expiresAt,
    ...(resolvedAt !== undefined ? { resolvedAt } : {}),
  };
}

export type AckProblemCode = 'UNKNOWN_SYNC_POINT' | 'ALREADY_RESOLVED' | 'EXPIRED' | 'NOT_A_PARTICIPANT';

export interface AckProblem {
  code: AckProblemCode;
  message: string;
}

/** Why a session of `role` may not acknowledge the sync point, or null when it may. */
export function ackProblem(state: SyncPointState | undefined, syncPointId: string, role: string): AckProblem | null {
  if (!state) return { code: 'UNKNOWN_SYNC_POINT', message: `no sync point ${syncPointId}` };
  // Before the status: a non-participant is refused whatever the state (an acknowledgement of a
  // resolved sync point is otherwise answered with its state, as a harmless repeat).
  if (!state.participants.includes(role)) {
    return { code: 'NOT_A_PARTICIPANT', message: `role ${role} is not a participant of sync point ${syncPointId} (participants: ${state.participants.join(', ')})` };
  }
  if (state.status === 'resolved') return { code: 'ALREADY_RESOLVED', message: `sync point ${syncPointId} is already resolved` };
  if (state.status === 'expired') return { code: 'EXPIRED', message: `sync point ${syncPointId} expired at ${new Date(state.expiresAt).toISOString()}` };
  return null;
}

/**
 * Roles that must acknowledge a sync point requested by `requesterRole`.
 * 'all': every other role; 'dependents' (default): transitive dependents; a list: those roles
 * that exist in the group. An empty result means nobody would take part: the caller refuses.
 */
export function participantsFor(group: Group, requesterRole: string, target: 'all' | 'dependents' | readonly string[] = 'dependents'): string[] {
  if (target === 'all') return rolesOf(group).filter((r) => r !== requesterRole);
  if (target === 'dependents') return dependentsOf(group, requesterRole).map((d) => d.role);
  return [...new Set(target)].filter((r) => memberByRole(group, r) !== undefined);
}
