// The overview a person watching the sessions reads at a glance (the dashboard's main view): each
// group's members with their live sessions and tasks, open sync points with who remains, the
// remotes' last share, and problems. Read-only: the topology file is validated, never recorded.
import { CHANGE_TYPES } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { status, type StatusRemote } from './status.js';
import { describeConflict } from '../share-state.js';

/** A session as the graph shows it (ended sessions are left out). */
export interface DashboardSession {
  sessionId: string;
  status: 'active' | 'stale';
  currentTask: string | null;
  /** ISO time of the last record the session wrote. */
  lastSeen: string;
  host: string;
}

/** One member of a group: a node of the graph. */
export interface DashboardMember {
  role: string;
  /** The member repo's path as the topology gives it; null for a role known only from records. */
  path: string | null;
  /** Roles this one depends on: the graph's arrows point from `role` to each of these. */
  dependsOn: string[];
  sessions: DashboardSession[];
}

/** A pending sync point: who asked, who acknowledged, who remains. */
export interface DashboardSyncPoint {
  syncPointId: string;
  description: string;
  requestedBy: { role: string; sessionId: string };
  participants: string[];
  acknowledgedBy: string[];
  /** Roles not heard from yet, each with its live sessions (empty: nobody of that role runs). */
  remaining: { role: string; sessions: string[] }[];
  /** ISO time after which it expires. */
  expiresAt: string;
}

export interface DashboardGroup {
  name: string;
  description: string | null;
  members: DashboardMember[];
  syncPoints: DashboardSyncPoint[];
}

/** Per remote: the last sync and its result (from the sync state files `sync` and auto-sync write). */
export type DashboardRemote = StatusRemote;

/** Everything but the timeline: refetched whenever `version()` changes. */
export interface DashboardOverview {
  /** ISO time the overview was read (liveness is relative to it). */
  generatedAt: string;
  groups: DashboardGroup[];
  remotes: DashboardRemote[];
  /** Topology errors, unreadable records, topology conflicts: text for people. */
  problems: string[];
  /** Values the timeline can be filtered by. */
  filters: { groups: string[]; roles: string[]; changeTypes: string[] };
}

/**
 * Reads the overview; the first call folds the whole retained history (seconds on a long one),
 * later calls only what is new.
 */
export async function overview(ctx: AppContext): Promise<DashboardOverview> {
  const problems: string[] = [];
  const inspected = await ctx.topology.inspect();
  for (const problem of inspected.problems) problems.push(`topology: ${problem}`);
  const topology = inspected.topology;
  const report = await status(ctx, {});
  const names = new Set([...Object.keys(topology?.groups ?? {}), ...report.groups.filter((g) => g.sessions.length > 0).map((g) => g.name)]);
  const groups: DashboardGroup[] = [];
  for (const name of [...names].sort()) {
    const declared = topology?.groups[name];
    const reported = report.groups.find((g) => g.name === name);
    const members: DashboardMember[] = (declared?.members ?? []).map((m) => ({ role: m.role, path: m.path, dependsOn: [...m.dependsOn], sessions: [] }));
    for (const s of reported?.sessions ?? []) {
      if (s.status === 'ended') continue;
      let member = members.find((m) => m.role === s.role);
      if (!member) members.push((member = { role: s.role, path: null, dependsOn: [], sessions: [] }));
      member.sessions.push({ sessionId: s.sessionId, status: s.status, currentTask: s.currentTask, lastSeen: s.lastHeartbeat, host: s.host });
    }
    groups.push({
      name,
      description: declared?.description ?? null,
      members,
      syncPoints: (reported?.pendingSyncPoints ?? []).map((p) => ({
        syncPointId: p.syncPointId,
        description: p.description,
        requestedBy: { role: p.requestedBy.role, sessionId: p.requestedBy.sessionId },
        participants: p.participants,
        acknowledgedBy: p.acknowledgedBy,
        remaining: p.waitingFor,
        expiresAt: p.expiresAt,
      })),
    });
  }
  for (const c of report.conflicts) problems.push(describeConflict(c));
  problems.push(...report.problems);
  const roles = new Set<string>();
  for (const g of groups) for (const m of g.members) roles.add(m.role);
  return {
    generatedAt: new Date(ctx.env.now()).toISOString(),
    groups,
    remotes: report.remotes,
    problems,
    filters: { groups: groups.map((g) => g.name), roles: [...roles].sort(), changeTypes: [...CHANGE_TYPES] },
  };
}
