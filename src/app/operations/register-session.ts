// register_session: join a group as a role, or come back as the same session (a client's hook
// may have registered it first). Returns where the session stands in the graph.
import { dependentsOf, memberByRole, rolesOf } from '../../core/graph.js';
import { sessionRef } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { UserError } from '../errors.js';
import { randomId, sessionIdFor } from '../ids.js';
import { pendingPage, servedSession } from '../sessions.js';
import { checkTask, memberRoleForPath, requireGroup } from '../validation.js';
import { writeRecord } from '../write.js';

export interface RegisterSessionInput {
  /** The member repo, as the topology spells it or inside it. */
  repoPath: string;
  projectGroup: string;
  /** Taken from the topology by `repoPath` when absent. */
  role?: string;
  currentTask?: string;
  /** The client session (e.g. Claude Code's session id); default: the context's. */
  clientSession?: string;
}

export interface RegisterSessionResult {
  sessionId: string;
  projectGroup: string;
  role: string;
  dependsOn: string[];
  dependents: string[];
  pendingUpdates: number;
}

/**
 * Registers a session (a `session.registered` record), or adopts the live session of the same
 * client in the same group and role (a heartbeat naming this process). This process then answers
 * for it (`ctx.served`). Errors: UNKNOWN_GROUP, NOT_A_MEMBER, INVALID_INPUT, TOPOLOGY_INVALID.
 */
export async function registerSession(ctx: AppContext, input: RegisterSessionInput): Promise<RegisterSessionResult> {
  checkTask(input.currentTask);
  const topology = await ctx.topology.current();
  const group = requireGroup(topology, input.projectGroup);
  const role = input.role ?? memberRoleForPath(topology, group, input.repoPath);
  const member = memberByRole(group, role);
  if (!member) {
    throw new UserError(
      'NOT_A_MEMBER',
      `role ${JSON.stringify(role)} is not a member of group ${group.name} (roles: ${rolesOf(group).join(', ') || 'none'})`,
      `Add it with: claude-orchestrator member add ${group.name} ${input.repoPath} --role ${role}`,
    );
  }
  await ctx.records.refresh();
  const clientSession = input.clientSession ?? ctx.clientSession;
  const sessionId = sessionIdFor(role, clientSession, group.name);
  const existing = ctx.state.group(group.name).sessions.get(sessionId);
  const now = ctx.env.now();
  const task = input.currentTask !== undefined ? { currentTask: input.currentTask } : {};
  if (existing && !existing.ended) {
    await writeRecord(ctx, sessionRef(sessionId), {
      kind: 'session.heartbeat', id: randomId('hb'), group: group.name, role, session: sessionId, at: now,
      host: ctx.env.host, pid: ctx.env.pid, ...task,
    });
  } else {
    await writeRecord(ctx, sessionRef(sessionId), {
      kind: 'session.registered', id: randomId('reg'), group: group.name, role, session: sessionId, at: now,
      repoPath: member.path, host: ctx.env.host, pid: ctx.env.pid, ...task,
      ...(clientSession !== undefined ? { clientSession } : {}),
    });
  }
  if (!ctx.served.ids.has(sessionId)) {
    ctx.served.ids.add(sessionId);
    ctx.listeners.owned?.({ sessionId, group: group.name, role, repoPath: member.path });
  }
  ctx.served.lastHeartbeat.set(sessionId, { at: now, ...(input.currentTask !== undefined ? { task: input.currentTask } : {}) });
  const page = pendingPage(ctx, await servedSession(ctx, sessionId), 0);
  return {
    sessionId,
    projectGroup: group.name,
    role,
    dependsOn: member.dependsOn,
    dependents: dependentsOf(group, role).map((d) => d.role),
    pendingUpdates: page.remaining + page.updates.length,
  };
}
