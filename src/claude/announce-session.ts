// Computes what a session has not been shown yet and records it as announced.
import { selectAnnouncement, type Announcement } from '../core/announce.js';
import type { Orchestrator } from '../app/orchestrator.js';
import { randomId } from '../app/ids.js';
import { sessionRef } from '../store/index.js';
import type { FoundSession } from './hook-app.js';

export interface AnnounceOptions {
  /** Show everything pending, even what was announced before (a new or cleared context). */
  all?: boolean;
}

export async function announceFor(orchestrator: Orchestrator, session: FoundSession, options: AnnounceOptions = {}): Promise<Announcement> {
  await orchestrator.track(session);
  const pending = orchestrator.pendingPage(session, Infinity).updates;
  const waiting = orchestrator.syncPointsToAcknowledge(session.group, session.role);
  const announced = options.all ? undefined : session.group.announced.get(session.sessionId);
  const announcement = selectAnnouncement(pending, waiting, { role: session.role, ...(announced ? { announced } : {}) });
  const before = session.group.announced.get(session.sessionId);
  const eventIds = announcement.eventIds.filter((id) => !before?.has(id));
  const syncPointIds = announcement.syncPointIds.filter((id) => !before?.has(id));
  if (eventIds.length > 0 || syncPointIds.length > 0) {
    await orchestrator.write(sessionRef(session.sessionId), {
      kind: 'announced', id: randomId('ann'), group: session.group.name, role: session.role, session: session.sessionId,
      at: Date.now(), eventIds, syncPointIds,
    });
  }
  return announcement;
}
