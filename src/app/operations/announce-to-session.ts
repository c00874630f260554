// What a client's hooks show a session unasked (SessionStart, UserPromptSubmit, PostToolUse): its
// new pending updates and the sync points waiting on it, each once, recorded as `announced`.
import { selectAnnouncement, type Announcement } from '../../core/announce.js';
import { sessionRef } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { randomId } from '../ids.js';
import { loadDeliveries, pendingPage, syncPointsAwaiting, type FoundSession } from '../sessions.js';
import { writeRecord } from '../write.js';
import { clientSession, clientSessionLine, type ClientProject, type ClientSessionLine } from './client-session.js';

export interface AnnounceInput extends ClientProject {
  /** Register the client's session when it has none (SessionStart). */
  register?: boolean;
  /** Show everything pending, even what was announced before (a new or cleared context). */
  all?: boolean;
}

/** Null when the client has no session here (and `register` did not make one). */
export async function announceToSession(ctx: AppContext, input: AnnounceInput): Promise<{ session: ClientSessionLine; announcement: Announcement } | null> {
  const session = await clientSession(ctx, input, { register: input.register ?? false });
  if (!session) return null;
  const announcement = await announce(ctx, session, input.all ?? false);
  return { session: await clientSessionLine(ctx, session), announcement };
}

async function announce(ctx: AppContext, session: FoundSession, all: boolean): Promise<Announcement> {
  await loadDeliveries(ctx, session);
  const sessionId = session.facts.registered.session;
  const role = session.facts.registered.role;
  const pending = pendingPage(ctx, session, Infinity).updates;
  const waiting = syncPointsAwaiting(ctx, session.group, role);
  const before = session.group.announced.get(sessionId);
  const announcement = selectAnnouncement(pending, waiting, { role, ...(!all && before ? { announced: before } : {}) });
  const eventIds = announcement.eventIds.filter((id) => !before?.has(id));
  const syncPointIds = announcement.syncPointIds.filter((id) => !before?.has(id));
  if (eventIds.length > 0 || syncPointIds.length > 0) {
    await writeRecord(ctx, sessionRef(sessionId), {
      kind: 'announced', id: randomId('ann'), group: session.group.name, role, session: sessionId,
      at: ctx.env.now(), eventIds, syncPointIds,
    });
  }
  return announcement;
}
