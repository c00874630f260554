// Stop: keep the session going while a critical update is unread or a sync point waits on it.
import { unanswered } from '../core/announce.js';
import type { HookApp } from './hook-app.js';
import { findClientSession } from './hook-app.js';
import type { HookInput } from './hook-input.js';
import { blockOutput, renderStopReason } from './render.js';

export async function stop(app: HookApp, input: HookInput, client: { clientSession: string; projectDir: string }): Promise<string> {
  // Already continuing because of a Stop hook: block once per turn, never in a loop the model
  // cannot leave (a sync point may need the user).
  if (input.stopHookActive) return '';
  await app.orchestrator.index.refresh();
  const session = findClientSession(app.orchestrator, client.clientSession, client.projectDir);
  if (!session) return '';
  await app.orchestrator.track(session);
  app.track(session);
  const pending = app.orchestrator.pendingPage(session, Infinity).updates;
  const waiting = app.orchestrator.syncPointsToAcknowledge(session.group, session.role);
  const open = unanswered(pending, waiting, session.role);
  if (!open.block) return '';
  return blockOutput(renderStopReason(open, { sessionId: session.sessionId, role: session.role, projectGroup: session.group.name }));
}
