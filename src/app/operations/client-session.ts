// The orchestrator session of a client session (e.g. a Claude Code session id) working in a
// project directory: found in the records, or registered for the member repo holding the
// directory. The MCP server (at start) and the SessionStart hook both use it, so whichever runs
// first creates the session and the other finds the same id (sessionIdFor derives it).
import { dependentsOf, memberByRole } from '../../core/graph.js';
import type { AppContext } from '../context.js';
import { readPidBinding } from '../client-binding.js';
import { resolveProjectSession, type ClientProject } from '../project-session.js';
import { findClientSession, type FoundSession } from '../sessions.js';
import { registerSession, type RegisterSessionOptions, type RegisterSessionResult } from './register-session.js';

export type { ClientProject } from '../project-session.js';

/** Where a found session stands, for the texts hooks show. */
export interface ClientSessionLine {
  sessionId: string;
  role: string;
  projectGroup: string;
  /** Empty when the topology was not loaded (it costs its imports; hooks skip it for known sessions). */
  dependsOn: string[];
  dependents: string[];
}

/**
 * Registers the client's session for the member repo containing its project directory; null
 * when the directory is in no group. An existing live session of the same client is adopted,
 * never registered twice, even when its server and its hooks register it at the same moment
 * (registerSession: a heartbeat naming this process, or nothing with `takeOver: false`).
 */
export async function registerClientSession(ctx: AppContext, client: ClientProject, options: RegisterSessionOptions = {}): Promise<RegisterSessionResult | null> {
  const target = resolveProjectSession(await ctx.topology.current(), client.projectDir);
  if (!target) return null;
  return registerSession(ctx, {
    repoPath: target.repoPath, projectGroup: target.projectGroup, role: target.role, clientSession: client.clientSession,
  }, options);
}

/** How a client's session was found: by its client session id, by the Claude Code process's binding, or as the session that process owns. */
export type FoundBy = 'client-session' | 'process' | 'owner';

/**
 * Which orchestrator session this client is, from what is held (no writes): the live session
 * registered with this client session id; else the one this Claude Code process (`ctx.env.pid`
 * on `ctx.env.host`: hooks take Claude Code's pid) was bound to by an earlier hook
 * (app/client-binding.ts); else a live session on this host owned by that pid. The last two
 * find the session after /clear gave the conversation a new id. Both must hold the project
 * directory. Call after `ctx.records.refresh()`.
 */
export function resolveClientSession(ctx: AppContext, client: ClientProject): (FoundSession & { by: FoundBy }) | null {
  const byId = findClientSession(ctx, client.clientSession, client.projectDir);
  if (byId) return { ...byId, by: 'client-session' };
  const holds = (found: FoundSession) => !found.facts.ended && inside(client.projectDir, found.facts.registered.repoPath);
  const bound = readPidBinding(ctx.paths.home, ctx.env.pid);
  const byProcess = bound ? ctx.state.findSession(bound) : undefined;
  if (byProcess && holds(byProcess)) return { ...byProcess, by: 'process' };
  for (const name of ctx.state.groupNames()) {
    const group = ctx.state.group(name);
    for (const facts of group.sessions.values()) {
      if (facts.host === ctx.env.host && facts.pid === ctx.env.pid && holds({ group, facts })) return { group, facts, by: 'owner' };
    }
  }
  return null;
}

function inside(dir: string, root: string): boolean {
  return dir === root || dir.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/**
 * The client's live session (resolveClientSession); with `register`, a new registration when
 * there is none yet (the topology is loaded only then). A session another process (the client's
 * server, another hook) registered meanwhile is used as it is: a hook never takes a session
 * over from its server. Null when there is none and the directory is in no group.
 */
export async function clientSession(ctx: AppContext, client: ClientProject, options: { register?: boolean } = {}): Promise<(FoundSession & { by?: FoundBy }) | null> {
  await ctx.records.refresh();
  const found = resolveClientSession(ctx, client);
  if (found || !options.register) return found;
  const registered = await registerClientSession(ctx, client, { takeOver: false });
  return registered ? findClientSession(ctx, client.clientSession, client.projectDir) : null;
}

/** The session's place in its group: dependencies only when the topology is already loaded. */
export async function clientSessionLine(ctx: AppContext, session: FoundSession): Promise<ClientSessionLine> {
  const role = session.facts.registered.role;
  const line = { sessionId: session.facts.registered.session, role, projectGroup: session.group.name, dependsOn: [] as string[], dependents: [] as string[] };
  try {
    const group = (await ctx.topology.loaded?.())?.groups[session.group.name];
    if (group) {
      line.dependsOn = memberByRole(group, role)?.dependsOn ?? [];
      line.dependents = dependentsOf(group, role).map((d) => d.role);
    }
  } catch {
    // Decoration only.
  }
  return line;
}
