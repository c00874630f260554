// get_cross_project_updates: the session's pending updates, oldest first, marked delivered.
import { sessionRef } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { randomId } from '../ids.js';
import { pendingPage, servedSession } from '../sessions.js';
import { updateView, type UpdateView } from '../views.js';
import { writeRecord } from '../write.js';

export interface GetUpdatesInput {
  sessionId: string;
  /** Page size; default `settings.updatesPageSize`. */
  limit?: number;
  /** Look without marking them delivered. */
  peek?: boolean;
}

/**
 * One page of pending updates; unless `peek`, records them delivered (a `delivered` record on the
 * session's ref) before returning them. Errors: UNKNOWN_SESSION, SESSION_ENDED.
 */
export async function getUpdates(ctx: AppContext, input: GetUpdatesInput): Promise<{ updates: UpdateView[]; remaining: number }> {
  await ctx.records.refresh();
  const session = await servedSession(ctx, input.sessionId);
  const role = session.facts.registered.role;
  const page = pendingPage(ctx, session, input.limit ?? ctx.settings.updatesPageSize);
  if (!input.peek && page.updates.length > 0) {
    await writeRecord(ctx, sessionRef(input.sessionId), {
      kind: 'delivered', id: randomId('dlv'), group: session.group.name, role, session: input.sessionId,
      at: ctx.env.now(), eventIds: page.updates.map((u) => u.id),
    });
  }
  return { updates: page.updates.map((e) => updateView(e, role)), remaining: page.remaining };
}
