// get_pending_sync_points: what waits on the session's role, and what its role asked of others.
import type { AppContext } from '../context.js';
import { requireSession, syncPointsAwaiting, syncState } from '../sessions.js';
import { requestedView, waitingView, type RequestedSyncPointView, type WaitingSyncPointView } from '../views.js';

/**
 * `requested`: the role's sync points still pending, and those this session requested that ended
 * within one default timeout (earlier sessions' ended ones are history: `claude-orchestrator log`).
 * Errors: UNKNOWN_SESSION, SESSION_ENDED.
 */
export async function getPendingSyncPoints(ctx: AppContext, input: { sessionId: string }): Promise<{ toAcknowledge: WaitingSyncPointView[]; requested: RequestedSyncPointView[]; next?: string }> {
  await ctx.records.refresh();
  const session = requireSession(ctx, input.sessionId);
  const role = session.facts.registered.role;
  const requested = [...session.group.syncRequests.values()]
    .filter((r) => r.role === role)
    .map((r) => syncState(ctx, session.group, r.syncPointId)!)
    .filter((s) => s.status === 'pending' || (s.requestedBy.session === input.sessionId && ctx.env.now() - s.expiresAt < ctx.settings.syncTimeoutMs));
  const toAcknowledge = syncPointsAwaiting(ctx, session.group, role).map(waitingView);
  const steps: string[] = [];
  if (toAcknowledge.length) steps.push('do what each of toAcknowledge asks, then acknowledge_sync_point');
  if (requested.some((s) => s.status === 'pending')) steps.push('call get_pending_sync_points again until yours resolve');
  return { toAcknowledge, requested: requested.map(requestedView), ...(steps.length ? { next: `${steps.join('; ')}.` } : {}) };
}
