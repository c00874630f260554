// get_update_status: what became of the updates a session sent, per recipient role.
import type { ChangeEvent } from '../../core/records.js';
import type { AppContext } from '../context.js';
import { deliveryStates, requireSession, type RoleDelivery } from '../sessions.js';
import { iso } from '../views.js';

export interface UpdateStatus {
  id: string;
  summary: string;
  timestamp: string;
  /** Per target role: queued, delivered or acknowledged (with the acknowledgement's note). */
  roles: RoleDelivery[];
}

/** How many of its latest updates a session is told about when it names none. */
export const STATUS_DEFAULT_COUNT = 10;

/**
 * The delivery states of `eventIds` (default: the session's latest updates, newest first, at most
 * STATUS_DEFAULT_COUNT), as far as the records read here say (another machine's show after a share).
 * Summaries are cut to 200 characters: the sender wrote them. Errors: UNKNOWN_SESSION.
 */
export async function getUpdateStatus(ctx: AppContext, input: { sessionId: string; eventIds?: string[] }): Promise<{ updates: UpdateStatus[]; next?: string }> {
  await ctx.records.refresh();
  const session = requireSession(ctx, input.sessionId, { allowEnded: true });
  const { group } = session;
  const role = session.facts.registered.role;
  const asked = input.eventIds?.slice(0, 50) ?? [];
  // A lean start holds only the updates still undelivered and the latest: fold in the rest.
  const missing = asked.filter((id) => !group.eventsById.has(id));
  if (missing.length && ctx.leanUpTo() > 0) await ctx.completeState({ ids: new Set(missing) });
  const events: ChangeEvent[] = asked.length
    ? asked.map((id) => group.eventsById.get(id)).filter((e): e is ChangeEvent => e !== undefined)
    : (group.eventsFromRole.get(role) ?? []).filter((e) => e.session === input.sessionId).slice(0, STATUS_DEFAULT_COUNT);
  const updates = events.map((e) => ({
    id: e.id,
    summary: e.summary.length > 200 ? `${e.summary.slice(0, 199)}…` : e.summary,
    timestamp: iso(e.at),
    roles: deliveryStates(group, e),
  }));
  const queued = updates.some((u) => u.roles.some((r) => r.state === 'queued'));
  return { updates, ...(queued ? { next: 'queued: no session of that role has had it yet; it waits for the next one (see list_group_sessions)' } : {}) };
}
