// register_session: join a group as a role, or come back as the same session (a client's hook
// may have registered it first). Returns where the session stands in the graph.
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { dependentsOf, memberByRole, memberForPath, rolesOf } from '../../core/graph.js';
import { sessionRef, StaleRefError } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { UserError } from '../errors.js';
import { randomId, sessionIdFor } from '../ids.js';
import { commitFollowing, pendingPage, servedSession, type CommitFollowing } from '../sessions.js';
import { followsCommits } from '../commit-following.js';
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

export interface RegisterSessionOptions {
  /**
   * What to do with a live session of the same client found registered: take it over with a
   * heartbeat naming this process (default: a server, which then answers for it and follows its
   * repo), or, false, use it as it is, writing nothing (a hook: the session stays its server's).
   */
  takeOver?: boolean;
}

/** How many times a registration is tried when the session's ref keeps moving under it. */
const REGISTER_ATTEMPTS = 5;

/**
 * Registers a session (a `session.registered` record), or adopts the live session of the same
 * client in the same group and role (a heartbeat naming this process; see `options.takeOver`).
 * This process then answers for it (`ctx.served`). At most one registration is written however
 * many processes register the same session at once: the registration is a compare-and-swap on
 * the session's ref, and a process that loses it reads again and adopts the winner's. Errors:
 * UNKNOWN_GROUP, NOT_A_MEMBER, INVALID_INPUT, TOPOLOGY_INVALID; the store's (STALE_REF when the
 * ref moved under each of `REGISTER_ATTEMPTS` tries).
 */
export async function registerSession(ctx: AppContext, input: RegisterSessionInput, options: RegisterSessionOptions = {}): Promise<RegisterSessionResult> {
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
  const clientSession = input.clientSession ?? ctx.clientSession;
  const task = input.currentTask !== undefined ? { currentTask: input.currentTask } : {};
  const follows = followsCommits(ctx);
  let sessionId = '';
  let now = 0;
  // Whether to register is decided from what the session's ref holds, and the registration is
  // written only if the ref has not moved since (a compare-and-swap): processes of one client
  // registering it at once (its server, its SessionStart hooks) write one registration, and
  // the others, finding the ref moved, read again and adopt it.
  for (let attempt = 1; ; attempt++) {
    await ctx.records.refresh();
    // One live session per group and role in a process: registering again returns it.
    const served = [...ctx.served.ids].map((id) => ctx.state.group(group.name).sessions.get(id))
      .find((f) => f && !f.ended && f.registered.role === role);
    sessionId = served?.registered.session ?? sessionIdFor(role, clientSession, group.name);
    const existing = ctx.state.group(group.name).sessions.get(sessionId);
    now = ctx.env.now();
    if (existing && !existing.ended) {
      if (options.takeOver !== false) {
        await writeRecord(ctx, sessionRef(sessionId), {
          kind: 'session.heartbeat', id: randomId('hb'), group: group.name, role, session: sessionId, at: now,
          host: ctx.env.host, pid: ctx.env.pid, ...task, ...follows,
        });
      }
      break;
    }
    const ref = sessionRef(sessionId);
    try {
      await writeRecord(ctx, ref, {
        kind: 'session.registered', id: randomId('reg'), group: group.name, role, session: sessionId, at: now,
        repoPath: member.path, host: ctx.env.host, pid: ctx.env.pid, ...task, ...follows,
        ...(clientSession !== undefined ? { clientSession } : {}),
      }, { expectedTip: ctx.records.tipOf(ref) ?? null });
      break;
    } catch (error) {
      // Another process wrote on the session's ref meanwhile (most likely: registered it).
      if (!(error instanceof StaleRefError) || attempt >= REGISTER_ATTEMPTS) throw error;
    }
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
