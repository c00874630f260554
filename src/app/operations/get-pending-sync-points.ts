// get_pending_sync_points: what waits on the session's role, and what its role asked of others.
import type { AppContext } from '../context.js';
import { requireSession, syncPointsAwaiting, syncState } from '../sessions.js';
import { syncView, type SyncPointView } from '../views.js';

/** `requested`: the role's own sync points, pending or ended within one default timeout. Errors: UNKNOWN_SESSION, SESSION_ENDED. */
export async function getPendingSyncPoints(ctx: AppContext, input: { sessionId: string }): Promise<{ toAcknowledge: SyncPointView[]; requested: SyncPointView[] }> {
  await ctx.records.refresh();
  const session = requireSession(ctx, input.sessionId);
  const role = session.facts.registered.role;
  const requested = [...session.group.syncRequests.values()]
    .filter((r) => r.role === role)
    .map((r) => syncState(ctx, session.group, r.syncPointId)!)
    .filter((s) => s.status === 'pending' || ctx.env.now() - s.expiresAt < ctx.settings.syncTimeoutMs);
  return {
    toAcknowledge: syncPointsAwaiting(ctx, session.group, role).map(syncView),
    requested: requested.map(syncView),
  };
}
