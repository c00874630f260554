// unregister_session: end a session (a `session.ended` record); this process stops serving it.
import { sessionRef } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { randomId } from '../ids.js';
import { requireSession } from '../sessions.js';
import { writeRecord } from '../write.js';

/**
 * Ends the session with `reason` (default "unregistered"). Ending an ended session changes
 * nothing (`unregistered: false`). Errors: UNKNOWN_SESSION.
 */
export async function unregisterSession(ctx: AppContext, input: { sessionId: string; reason?: string }): Promise<{ sessionId: string; unregistered: boolean }> {
  await ctx.records.refresh();
  const { group, facts } = requireSession(ctx, input.sessionId, { allowEnded: true });
  if (ctx.served.ids.delete(input.sessionId)) ctx.listeners.released?.(input.sessionId);
  ctx.served.lastHeartbeat.delete(input.sessionId);
  if (facts.ended) return { sessionId: input.sessionId, unregistered: false };
  await writeRecord(ctx, sessionRef(input.sessionId), {
    kind: 'session.ended', id: randomId('end'), group: group.name, role: facts.registered.role, session: input.sessionId,
    at: ctx.env.now(), reason: input.reason ?? 'unregistered',
  });
  return { sessionId: input.sessionId, unregistered: true };
}

/** Ends every session this process serves (its client went away); failures are skipped. */
export async function endServedSessions(ctx: AppContext, reason: string): Promise<void> {
  for (const id of [...ctx.served.ids]) {
    await unregisterSession(ctx, { sessionId: id, reason }).catch(() => undefined);
  }
}
