// SessionStart: register (or find) the session for the project directory and show what is pending.
import { dependentsOf, memberByRole } from '../core/graph.js';
import { resolveProjectSession } from '../app/project-session.js';
import { announceFor } from './announce-session.js';
import type { HookApp, FoundSession } from './hook-app.js';
import { findClientSession } from './hook-app.js';
import type { HookInput } from './hook-input.js';
import { contextOutput, renderAnnouncement, renderSessionStart } from './render.js';

/**
 * The client's live session, or a new registration when there is none yet (the MCP server
 * of the same client session, starting at the same time, adopts it rather than adding one).
 */
export async function ensureHookSession(app: HookApp, client: { clientSession: string; projectDir: string }): Promise<FoundSession | null> {
  const { orchestrator } = app;
  await orchestrator.index.refresh();
  const found = findClientSession(orchestrator, client.clientSession, client.projectDir);
  if (found) return found;
  const target = resolveProjectSession(await app.topology.current(), client.projectDir);
  if (!target) return null;
  await orchestrator.registerSession({
    repoPath: target.repoPath, projectGroup: target.projectGroup, role: target.role, clientSession: client.clientSession,
  });
  return findClientSession(orchestrator, client.clientSession, client.projectDir);
}

export async function sessionStart(app: HookApp, input: HookInput, client: { clientSession: string; projectDir: string }): Promise<string> {
  const session = await ensureHookSession(app, client);
  if (!session) return '';
  const line = { sessionId: session.sessionId, role: session.role, projectGroup: session.group.name };
  // A new, cleared or compacted context has seen nothing: show everything pending again.
  app.track(session);
  const announcement = await announceFor(app.orchestrator, session, { all: true });
  let dependsOn: string[] = [];
  let dependents: string[] = [];
  try {
    // Only when registering loaded it: for a known session it is not worth its import cost.
    const group = (await app.loadedTopology())?.groups[session.group.name];
    if (group) {
      dependsOn = memberByRole(group, session.role)?.dependsOn ?? [];
      dependents = dependentsOf(group, session.role).map((d) => d.role);
    }
  } catch {
    // The topology is only decoration here.
  }
  const text = renderSessionStart({ ...line, dependsOn, dependents }, renderAnnouncement(announcement, line));
  return contextOutput('SessionStart', text);
}
