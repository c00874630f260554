// status: every group's sessions (active, stale, ended), the sync points still pending, the
// remotes with their last share, topology conflicts waiting for a person, and unreadable records.
import { machineIdProblem } from '../../config/machine.js';
import type { AppContext } from '../context.js';
import { sessionView, syncState } from '../sessions.js';
import { readSyncStates, topologyConflicts, type RemoteSyncResult } from '../sync.js';
import type { SessionView } from '../views.js';

export interface StatusSession extends SessionView {
  host: string;
}

export interface StatusSyncPoint {
  syncPointId: string;
  group: string;
  description: string;
  requestedBy: { sessionId: string; role: string };
  participants: string[];
  acknowledgedBy: string[];
  /** Roles not heard from yet, each with its live sessions (empty: nobody of that role is running). */
  waitingFor: { role: string; sessions: string[] }[];
  expiresAt: string;
}

export interface StatusRemote {
  name: string;
  url: string;
  lastSync: string | null;
  lastSuccess: string | null;
  ok: boolean | null;
  error: string | null;
  failures: number;
  topology: RemoteSyncResult['topology'] | null;
}

export interface StatusReport {
  groups: { name: string; sessions: StatusSession[]; pendingSyncPoints: StatusSyncPoint[] }[];
  remotes: StatusRemote[];
  /** Topology conflicts waiting for a person. */
  conflicts: { remote: string; file: string }[];
  /** Records this version cannot read (newer format) and foreign commits on our refs. */
  problems: string[];
}

/**
 * The status of one group (or all groups some record names). `home` (default the context's) is
 * where the share state files live (config/home.ts). Reads every retained record once (the fold).
 */
export async function status(ctx: AppContext, input: { home?: string; group?: string }): Promise<StatusReport> {
  const home = input.home ?? ctx.paths.home;
  await ctx.records.refresh();
  const names = input.group ? [input.group] : ctx.state.groupNames().sort();
  const groups = names.map((name) => {
    const group = ctx.state.group(name);
    const sessions = [...group.sessions.values()]
      .map((facts) => ({ ...sessionView(ctx, facts), host: facts.host }))
      .sort((a, b) => rank(a.status) - rank(b.status) || b.lastHeartbeat.localeCompare(a.lastHeartbeat));
    const pendingSyncPoints: StatusSyncPoint[] = [];
    for (const request of group.syncRequests.values()) {
      const state = syncState(ctx, group, request.syncPointId);
      if (!state || state.status !== 'pending') continue;
      pendingSyncPoints.push({
        syncPointId: state.syncPointId,
        group: name,
        description: state.description,
        requestedBy: { sessionId: state.requestedBy.session, role: state.requestedBy.role },
        participants: state.participants,
        acknowledgedBy: state.acknowledgedBy,
        waitingFor: state.remaining.map((role) => ({
          role,
          sessions: sessions.filter((s) => s.role === role && s.status === 'active').map((s) => s.sessionId),
        })),
        expiresAt: new Date(state.expiresAt).toISOString(),
      });
    }
    return { name, sessions, pendingSyncPoints };
  });
  const states = new Map(readSyncStates(home).map((s) => [s.remote, s]));
  const remotes = (await ctx.store.listRemotes()).map((r): StatusRemote => {
    const state = states.get(r.name);
    return {
      name: r.name,
      url: r.url,
      lastSync: state?.last.at ?? null,
      lastSuccess: state?.lastSuccessAt ?? null,
      ok: state ? state.last.ok : null,
      error: state?.last.error ?? null,
      failures: state?.failures ?? 0,
      topology: state?.last.topology ?? null,
    };
  });
  const machine = machineIdProblem(home);
  return { groups, remotes, conflicts: topologyConflicts(home), problems: [...(machine ? [machine] : []), ...ctx.records.problems] };
}

function rank(status: string): number {
  return status === 'active' ? 0 : status === 'stale' ? 1 : 2;
}
