// query_project_state: what a role's repo is doing: its sessions, recent changes, edits, git state.
import { memberByRole } from '../../core/graph.js';
import type { ChangeType, Priority } from '../../core/types.js';
import { readMemberGitState } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { commitFollowing, sessionView, type CommitFollowing } from '../sessions.js';
import { requireGroup, unknownRole } from '../validation.js';
import { iso, sortSessions, type SessionView } from '../views.js';

export interface ProjectState {
  projectGroup: string;
  role: string;
  path: string;
  /** Live and stale sessions (ended ones are history: `claude-orchestrator log`). */
  sessions: SessionView[];
  /** How this member's commits reach the others: hook, server or none. */
  commits: CommitFollowing;
  /** Newest first, at most 10. */
  recentChanges: Array<{ id: string; changeTypes: ChangeType[]; priority: Priority; summary: string; timestamp: string; commit?: string; files?: string[] }>;
  workingTree: { files: string[]; fileCount: number; changeTypes: ChangeType[]; timestamp: string } | null;
  git: Awaited<ReturnType<typeof readMemberGitState>>;
}

/** Errors: UNKNOWN_GROUP, UNKNOWN_ROLE, TOPOLOGY_INVALID. */
export async function queryProjectState(ctx: AppContext, input: { projectGroup: string; role: string }): Promise<ProjectState> {
  const topology = await ctx.topology.current();
  const group = requireGroup(topology, input.projectGroup);
  const member = memberByRole(group, input.role);
  if (!member) throw unknownRole(group, input.role);
  await ctx.records.refresh();
  const state = ctx.state.group(group.name);
  const ofRole = [...state.sessions.values()].filter((s) => s.registered.role === input.role);
  const recent = (state.eventsFromRole.get(input.role) ?? []).slice(0, 10);
  const worktree = ofRole
    .filter((s) => s.worktree && !s.ended)
    .map((s) => s.worktree!)
    .sort((a, b) => b.at - a.at)[0];
  return {
    projectGroup: group.name,
    role: input.role,
    path: member.path,
    sessions: sortSessions(ofRole.map((s) => sessionView(ctx, s)).filter((v) => v.status !== 'ended')),
    commits: commitFollowing(ctx, state, input.role, member.path),
    recentChanges: recent.map((e) => ({
      id: e.id, changeTypes: e.types, priority: e.priority, summary: e.summary, timestamp: iso(e.at),
      ...(e.commit ? { commit: e.commit.sha } : {}),
      ...(e.files ? { files: e.files.slice(0, 20) } : {}),
    })),
    workingTree: worktree
      ? { files: worktree.files.slice(0, 50), fileCount: worktree.fileCount, changeTypes: worktree.types, timestamp: iso(worktree.at) }
      : null,
    git: await readMemberGitState(member.path),
  };
}
