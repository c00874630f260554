// UserPromptSubmit and PostToolUse: new updates and sync points for this session, once each.
import { announceFor } from './announce-session.js';
import type { HookApp } from './hook-app.js';
import { findClientSession } from './hook-app.js';
import { contextOutput, renderAnnouncement } from './render.js';

export async function promptContext(
  app: HookApp,
  hookEventName: 'UserPromptSubmit' | 'PostToolUse',
  client: { clientSession: string; projectDir: string },
): Promise<string> {
  await app.orchestrator.index.refresh();
  // Only SessionStart (or the MCP server) registers: outside member repos this stays cheap,
  // with no topology to load on every prompt.
  const session = findClientSession(app.orchestrator, client.clientSession, client.projectDir);
  if (!session) return '';
  app.track(session);
  const announcement = await announceFor(app.orchestrator, session);
  const text = renderAnnouncement(announcement, { sessionId: session.sessionId, role: session.role, projectGroup: session.group.name });
  return text ? contextOutput(hookEventName, text) : '';
}
