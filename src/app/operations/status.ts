// status: every group's live sessions (ended ones counted), how each member's commits are
// followed, updates still queued or awaiting acknowledgement, the sync points still pending, the
// remotes with their last share, topology conflicts waiting for a person, and unreadable records.
import { machineIdProblem } from '../../config/machine.js';
import type { AppContext } from '../context.js';
import { commitFollowing, deliveryStates, sessionView, syncState, type CommitFollowing, type RoleDelivery } from '../sessions.js';
import type { RemoteSyncResult } from '../share.js';
import { readSyncStates, topologyConflicts, type TopologyConflict } from '../share-state.js';
import type { SessionView } from '../views.js';
import { describeRefused, ownKeyProblem } from '../signing.js';

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

/** An update some recipient role has not had (queued) or has not acknowledged when asked to. */
export interface StatusUpdate {
  id: string;
  fromRole: string;
  summary: string;
  timestamp: string;
  roles: RoleDelivery[];
}

export interface StatusReport {
  groups: {
    name: string;
    /** Active and stale sessions; ended ones are counted in `ended` (their history: `log`). */
    sessions: StatusSession[];
    ended: number;
    pendingSyncPoints: StatusSyncPoint[];
    /** Per member (when the topology names the group): how its commits are followed. */
    members?: { role: string; commits: CommitFollowing }[];
    /** The latest updates (at most 10, newest first) still queued for a role or awaiting its acknowledgement. */
    undelivered: StatusUpdate[];
  }[];
  remotes: StatusRemote[];
  /** Topology conflicts waiting for a person. */
  conflicts: TopologyConflict[];
  /** Records this version cannot read (newer format) and foreign commits on our refs. */
  problems: string[];
}

/**
 * The status of one group (or all groups some record names). `home` (default the context's) is
 * where the share state files live (config/home.ts). Starts from the checkpoint of the fold
 * (its lean state: the updates still undelivered, not every old one) and reads only what is
 * newer; with no checkpoint, every retained record once.
 */
export async function status(ctx: AppContext, input: { home?: string; group?: string }): Promise<StatusReport> {
  const home = input.home ?? ctx.paths.home;
  // Sessions, sync points and what is undelivered: the checkpoint's lean state is enough.
  await ctx.records.refresh({ lean: true });
  const names = input.group ? [input.group] : ctx.state.groupNames().sort();
  const topology = await ctx.topology.current().catch(() => null);
  const groups = names.map((name) => {
    const group = ctx.state.group(name);
    const all = [...group.sessions.values()]
      .map((facts) => ({ ...sessionView(ctx, facts), host: facts.host }))
      .sort((a, b) => rank(a.status) - rank(b.status) || b.lastHeartbeat.localeCompare(a.lastHeartbeat));
    const sessions = all.filter((s) => s.status !== 'ended');
    const members = topology?.groups[name]?.members.map((m) => ({ role: m.role, commits: commitFollowing(ctx, group, m.role, m.path) }));
    const undelivered: StatusUpdate[] = [];
    const events = [...group.eventsById.values()].filter((e) => e.at >= ctx.env.now() - ctx.settings.retentionMs).sort((x, y) => y.at - x.at);
    for (const e of events) {
      if (undelivered.length >= 10) break;
      const roles = deliveryStates(group, e);
      if (!roles.some((r) => r.state === 'queued' || (e.ackRequired && r.state !== 'acknowledged'))) continue;
      undelivered.push({ id: e.id, fromRole: e.role, summary: e.summary.slice(0, 200), timestamp: new Date(e.at).toISOString(), roles });
    }
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
    return { name, sessions, ended: all.length - sessions.length, pendingSyncPoints, ...(members ? { members } : {}), undelivered };
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
  // Records a remote sent that failed the signature check at the last sync (signed records only).
  const refused = [...states.values()].flatMap((s) => (s.last.refused ?? []).map((r) => describeRefused(s.remote, r)));
  const ownKey = await ownKeyProblem(ctx.store);
  return { groups, remotes, conflicts: topologyConflicts(home), problems: [...(machine ? [machine] : []), ...(ownKey ? [ownKey] : []), ...ctx.records.problems, ...refused] };
}

function rank(status: string): number {
  return status === 'active' ? 0 : status === 'stale' ? 1 : 2;
}
