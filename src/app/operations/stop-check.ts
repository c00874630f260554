// Claude Code's Stop: may the session stop now, or does a critical update or a sync point still
// wait on it? (Blocking is the hook's answer; the rule is the core's `unanswered`.) Read-only:
// the session is found as the lifecycle state machine finds it (client-session.ts), never registered.
import { unanswered, type Unanswered } from '../../core/announce.js';
import type { AppContext } from '../context.js';
import { loadDeliveries, pendingPage, syncPointsAwaiting, withOrigins } from '../sessions.js';
import { clientSession, clientSessionLine, type ClientProject, type ClientSessionLine } from './client-session.js';

/** Null when the client has no session here; `open.block` says whether to keep it going. */
export async function stopCheck(ctx: AppContext, input: ClientProject): Promise<{ session: ClientSessionLine; open: Unanswered } | null> {
  const session = await clientSession(ctx, input);
  if (!session) return null;
  await loadDeliveries(ctx, session);
  const role = session.facts.registered.role;
  const pending = pendingPage(ctx, session, Infinity).updates;
  const open = unanswered(pending, syncPointsAwaiting(ctx, session.group, role), role);
  withOrigins(session.group, open.critical);
  withOrigins(session.group, open.toAcknowledge);
  return { session: await clientSessionLine(ctx, session), open };
}
