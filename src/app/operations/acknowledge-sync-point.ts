// acknowledge_sync_point: a participating role says it is ready.
import { ackProblem, type SyncStatus } from '../../core/state/syncpoints.js';
import { sessionRef } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { UserError } from '../errors.js';
import { randomId } from '../ids.js';
import { requireSession, syncState } from '../sessions.js';
import { checkText } from '../validation.js';
import { writeRecord } from '../write.js';

/**
 * Acknowledges for the session's role. Acknowledging twice reports the state instead of failing.
 * Errors: UNKNOWN_SESSION, SESSION_ENDED, UNKNOWN_SYNC_POINT, SYNC_POINT_REFUSED (expired, not a participant).
 */
export async function acknowledgeSyncPoint(
  ctx: AppContext,
  input: { sessionId: string; syncPointId: string; note?: string },
): Promise<{ syncPointId: string; status: SyncStatus; remaining: string[] }> {
  if (input.note !== undefined) checkText('note', input.note);
  await ctx.records.refresh();
  const session = requireSession(ctx, input.sessionId);
  const role = session.facts.registered.role;
  const before = syncState(ctx, session.group, input.syncPointId);
  const problem = ackProblem(before, input.syncPointId, role);
  if (problem) {
    if (problem.code === 'ALREADY_RESOLVED' && before) return { syncPointId: input.syncPointId, status: before.status, remaining: before.remaining };
    if (before && problem.code !== 'UNKNOWN_SYNC_POINT' && before.acknowledgedBy.includes(role)) {
      return { syncPointId: input.syncPointId, status: before.status, remaining: before.remaining };
    }
    throw new UserError(problem.code === 'UNKNOWN_SYNC_POINT' ? 'UNKNOWN_SYNC_POINT' : 'SYNC_POINT_REFUSED', problem.message,
      'See get_pending_sync_points for the sync points waiting on you');
  }
  if (!before!.acknowledgedBy.includes(role)) {
    await writeRecord(ctx, sessionRef(input.sessionId), {
      kind: 'sync.acknowledged', id: randomId('ack'), group: session.group.name, role, session: input.sessionId,
      at: ctx.env.now(), syncPointId: input.syncPointId, ...(input.note !== undefined ? { note: input.note } : {}),
    });
  }
  const after = syncState(ctx, session.group, input.syncPointId)!;
  return { syncPointId: input.syncPointId, status: after.status, remaining: after.remaining };
}
