// request_sync_point: raise a barrier that sessions of the participating roles acknowledge.
import { participantsFor } from '../../core/state/syncpoints.js';
import type { NotifyTarget } from '../../core/types.js';
import { sessionRef } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { UserError } from '../errors.js';
import { randomId } from '../ids.js';
import { requireSession } from '../sessions.js';
import { checkRoles, checkText, requireGroup } from '../validation.js';
import { writeRecord } from '../write.js';

export interface RequestSyncPointInput {
  sessionId: string;
  description: string;
  /** Default "dependents" (transitive). */
  participants?: NotifyTarget;
  /** Default `settings.syncTimeoutMs`. */
  timeoutSeconds?: number;
}

/** Errors: UNKNOWN_SESSION, SESSION_ENDED, UNKNOWN_ROLE, NO_PARTICIPANTS, INVALID_INPUT. */
export async function requestSyncPoint(ctx: AppContext, input: RequestSyncPointInput): Promise<{ syncPointId: string; participants: string[]; status: 'pending' }> {
  checkText('description', input.description);
  await ctx.records.refresh();
  const session = requireSession(ctx, input.sessionId);
  const group = requireGroup(await ctx.topology.current(), session.group.name);
  const role = session.facts.registered.role;
  if (Array.isArray(input.participants)) checkRoles(group, input.participants, 'participants');
  const participants = participantsFor(group, role, input.participants ?? 'dependents');
  if (participants.length === 0) {
    throw new UserError('NO_PARTICIPANTS', `nobody would take part: ${role} has no ${JSON.stringify(input.participants ?? 'dependents')} in ${group.name}`,
      'Name the roles in participants, or use "all"');
  }
  const now = ctx.env.now();
  const syncPointId = randomId('sp');
  await writeRecord(ctx, sessionRef(input.sessionId), {
    kind: 'sync.requested', id: syncPointId, group: group.name, role, session: input.sessionId, at: now,
    syncPointId, description: input.description, participants,
    expiresAt: now + (input.timeoutSeconds !== undefined ? input.timeoutSeconds * 1000 : ctx.settings.syncTimeoutMs),
  });
  return { syncPointId, participants, status: 'pending' };
}
