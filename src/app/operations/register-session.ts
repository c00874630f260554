// register_session: join a group as a role, or come back as the same session (a client's hook
// may have registered it first). Returns where the session stands in the graph.
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { dependentsOf, memberByRole, memberForPath, rolesOf } from '../../core/graph.js';
import { sessionRef } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { UserError } from '../errors.js';
import { randomId, sessionIdFor } from '../ids.js';
import { commitFollowing, pendingPage, servedSession, type CommitFollowing } from '../sessions.js';
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
  /** How commits of this repo reach the others: hook, server (this process follows them) or none. */
  commits: CommitFollowing;
}

/**
 * Registers a session (a `session.registered` record), or adopts the live session of the same
 * client in the same group and role (a heartbeat naming this process). This process then answers
 * for it (`ctx.served`). Errors: UNKNOWN_GROUP, NOT_A_MEMBER, INVALID_INPUT, TOPOLOGY_INVALID.
 */
export async function registerSession(ctx: AppContext, input: RegisterSessionInput): Promise<RegisterSessionResult> {
  checkTask(input.currentTask);
  checkRepoPath(input.repoPath);
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
  if (input.role !== undefined) {
    // The path must be the role's repo (or inside it): a path of another member is a mistake, not a rebinding.
    const byPath = memberForPath({ version: topology.version, groups: { [group.name]: group } }, input.repoPath)?.member;
    if (!byPath || byPath.role !== role) {
      throw new UserError('INVALID_INPUT',
        `${input.repoPath} is ${byPath ? `the repo of ${byPath.role}` : 'not a member repo'}, not of ${role} (${member.path})`,
        byPath ? `Register as ${byPath.role} (omit role), or give ${role}'s repo path` : `Give ${role}'s repo path: ${member.path}`);
    }
  }
  await ctx.records.refresh();
  const clientSession = input.clientSession ?? ctx.clientSession;
  // One live session per group and role in a process: registering again returns it.
  const served = [...ctx.served.ids].map((id) => ctx.state.group(group.name).sessions.get(id))
    .find((f) => f && !f.ended && f.registered.role === role);
  const sessionId = served?.registered.session ?? sessionIdFor(role, clientSession, group.name);
  const existing = ctx.state.group(group.name).sessions.get(sessionId);
  const now = ctx.env.now();
  const task = input.currentTask !== undefined ? { currentTask: input.currentTask } : {};
  // A process that serves repos (the MCP server) follows the repo's commits itself.
  const follows = ctx.listeners.owned ? { commits: 'server' as const } : {};
  if (existing && !existing.ended) {
    await writeRecord(ctx, sessionRef(sessionId), {
      kind: 'session.heartbeat', id: randomId('hb'), group: group.name, role, session: sessionId, at: now,
      host: ctx.env.host, pid: ctx.env.pid, ...task, ...follows,
    });
  } else {
    await writeRecord(ctx, sessionRef(sessionId), {
      kind: 'session.registered', id: randomId('reg'), group: group.name, role, session: sessionId, at: now,
      repoPath: member.path, host: ctx.env.host, pid: ctx.env.pid, ...task, ...follows,
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
    commits: commitFollowing(ctx, ctx.state.group(group.name), role, member.path),
  };
}

/** Errors: INVALID_INPUT when the path is relative or does not exist. */
function checkRepoPath(repoPath: string): void {
  if (!isAbsolute(repoPath)) {
    throw new UserError('INVALID_INPUT', `repoPath ${JSON.stringify(repoPath)} is relative`, 'Give the absolute path of your repo');
  }
  if (!existsSync(repoPath)) {
    throw new UserError('INVALID_INPUT', `repoPath ${repoPath} does not exist`, 'Give the absolute path of the repo you work in');
  }
}
