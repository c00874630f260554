// The application layer: every operation the MCP tools, the CLI and the hooks offer, over the
// store (git) and the pure core. Adapters only translate to and from their protocol.
import { dependentsOf, memberByRole, rolesOf } from '../core/graph.js';
import { isPending, pendingUpdates } from '../core/delivery.js';
import type { Recipient } from '../core/delivery.js';
import { nameProblem } from '../core/names.js';
import { MAX_FILES_PER_RECORD } from '../core/records.js';
import type { ChangeEvent, OrchestratorRecord, SessionRegistered } from '../core/records.js';
import { route } from '../core/routing.js';
import { ackProblem, participantsFor, syncPointState } from '../core/syncpoints.js';
import type { SyncPointState } from '../core/syncpoints.js';
import { liveness } from '../core/sessions.js';
import type { ChangeType, NotifyTarget, Priority, Topology } from '../core/types.js';
import { type CoordinationStore, readMemberGitState, sessionRef } from '../store/index.js';
import { UserError } from './errors.js';
import { checkRoles, checkTask, checkText, MAX_FILES_PER_CALL, memberRoleForPath, requireGroup, unknownRole } from './validation.js';
import { iso, sortSessions, syncView, updateView } from './views.js';
import type { SessionView } from './views.js';
import { randomId, sessionIdFor } from './ids.js';
import { RecordIndex } from './record-index.js';
import type { Settings } from './settings.js';
import { CoordinationState } from './state.js';
import type { GroupState, SessionFacts } from './state.js';

// The shapes callers see live in views.ts; re-exported so adapters import one module.
export type { SessionStatus, SessionView, SyncPointView, UpdateView } from './views.js';
export { updateView } from './views.js';

export interface Environment {
  now: () => number;
  host: string;
  pid: number;
  /** Whether a process of this host is gone (lets a killed local session show stale at once). */
  processGone: (pid: number) => boolean;
}

export interface TopologySource {
  /** The current topology; throws a UserError when the file is invalid. */
  current(): Promise<Topology>;
}

/** A record before the writer stamps its version and Lamport clock. */
export type RecordDraft = OrchestratorRecord extends infer R ? (R extends OrchestratorRecord ? Omit<R, 'v' | 'clock'> : never) : never;


/** What the process around the orchestrator wants to hear of (set by the composition root). */
export interface OrchestratorListeners {
  /** After any record is written: e.g. a background sync soon after. */
  written?(): void;
  /** This process now answers for a session: e.g. watch its repo. */
  owned?(session: { sessionId: string; group: string; role: string; repoPath: string }): void;
  /** This process no longer answers for it. */
  released?(sessionId: string): void;
}

export class Orchestrator {
  readonly state = new CoordinationState();
  listeners: OrchestratorListeners = {};
  /**
   * The client session this process serves (a Claude Code session id), if any: registrations
   * made through it map to the same orchestrator session as the client's hooks.
   */
  clientSession: string | undefined;
  /** Problems of the process worth telling callers (e.g. a remote that fails to sync). */
  notices: () => string[] = () => [];
  readonly index: RecordIndex;
  /** Sessions this process registered: it keeps them alive and ends them when it exits. */
  readonly ownedSessions = new Set<string>();
  private readonly lastHeartbeatWritten = new Map<string, { at: number; task?: string }>();

  constructor(
    readonly store: CoordinationStore,
    private readonly topology: TopologySource,
    readonly settings: Settings,
    private readonly env: Environment,
  ) {
    this.index = new RecordIndex(store, (entry) => this.state.apply(entry.record), () => env.now() - settings.retentionMs);
  }

  // ---- sessions -------------------------------------------------------------------------

  async registerSession(input: { repoPath: string; projectGroup: string; role?: string; currentTask?: string; clientSession?: string }) {
    checkTask(input.currentTask);
    const topology = await this.topology.current();
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
    await this.index.refresh();
    const clientSession = input.clientSession ?? this.clientSession;
    const sessionId = sessionIdFor(role, clientSession, group.name);
    const existing = this.state.group(group.name).sessions.get(sessionId);
    const now = this.env.now();
    if (existing && !existing.ended) {
      // The same client session coming back (its hook registered it first): adopt it.
      await this.write(sessionRef(sessionId), {
        kind: 'session.heartbeat', id: randomId('hb'), group: group.name, role, session: sessionId, at: now,
        host: this.env.host, pid: this.env.pid,
        ...(input.currentTask !== undefined ? { currentTask: input.currentTask } : {}),
      });
    } else {
      await this.write(sessionRef(sessionId), {
        kind: 'session.registered', id: randomId('reg'), group: group.name, role, session: sessionId, at: now,
        repoPath: member.path, host: this.env.host, pid: this.env.pid,
        ...(input.currentTask !== undefined ? { currentTask: input.currentTask } : {}),
        ...(clientSession !== undefined ? { clientSession } : {}),
      });
    }
    if (!this.ownedSessions.has(sessionId)) {
      this.ownedSessions.add(sessionId);
      this.listeners.owned?.({ sessionId, group: group.name, role, repoPath: member.path });
    }
    this.lastHeartbeatWritten.set(sessionId, { at: now, ...(input.currentTask !== undefined ? { task: input.currentTask } : {}) });
    const { remaining, updates } = this.pendingPage(await this.servedSession(sessionId), 0);
    return {
      sessionId,
      projectGroup: group.name,
      role,
      dependsOn: member.dependsOn,
      dependents: dependentsOf(group, role).map((d) => d.role),
      pendingUpdates: remaining + updates.length,
    };
  }

  async unregisterSession(input: { sessionId: string }, reason = 'unregistered') {
    await this.index.refresh();
    const { group, facts } = this.requireSession(input.sessionId, { allowEnded: true });
    if (this.ownedSessions.delete(input.sessionId)) this.listeners.released?.(input.sessionId);
    if (facts.ended) return { sessionId: input.sessionId, unregistered: false };
    await this.write(sessionRef(input.sessionId), {
      kind: 'session.ended', id: randomId('end'), group: group.name, role: facts.registered.role, session: input.sessionId,
      at: this.env.now(), reason,
    });
    return { sessionId: input.sessionId, unregistered: true };
  }

  async heartbeat(input: { sessionId: string; currentTask?: string }) {
    checkTask(input.currentTask);
    await this.index.refresh();
    const session = await this.servedSession(input.sessionId);
    await this.keepAlive(input.sessionId, input.currentTask);
    const page = this.pendingPage(session, 0);
    return {
      sessionId: input.sessionId,
      pendingUpdates: page.remaining + page.updates.length,
      pendingSyncPoints: this.syncPointsToAcknowledge(session.group, session.facts.registered.role).length,
    };
  }

  /** Writes a heartbeat record when the last one is old or the task changed; otherwise nothing. */
  async keepAlive(sessionId: string, currentTask?: string): Promise<void> {
    const now = this.env.now();
    const last = this.lastHeartbeatWritten.get(sessionId);
    const taskChanged = currentTask !== undefined && currentTask !== last?.task;
    if (last && !taskChanged && now - last.at < this.settings.heartbeatRecordMs) return;
    const found = this.state.findSession(sessionId);
    if (!found || found.facts.ended) return;
    await this.write(sessionRef(sessionId), {
      kind: 'session.heartbeat', id: randomId('hb'), group: found.group.name, role: found.facts.registered.role, session: sessionId,
      at: now, host: this.env.host, pid: this.env.pid,
      ...(currentTask !== undefined ? { currentTask } : {}),
    });
    this.lastHeartbeatWritten.set(sessionId, { at: now, task: currentTask ?? last?.task ?? found.facts.currentTask });
  }

  // ---- updates ---------------------------------------------------------------------------

  async getUpdates(input: { sessionId: string; limit?: number; peek?: boolean }) {
    await this.index.refresh();
    const session = await this.servedSession(input.sessionId);
    const page = this.pendingPage(session, input.limit ?? this.settings.updatesPageSize);
    if (!input.peek && page.updates.length > 0) {
      await this.write(sessionRef(input.sessionId), {
        kind: 'delivered', id: randomId('dlv'), group: session.group.name, role: session.facts.registered.role, session: input.sessionId,
        at: this.env.now(), eventIds: page.updates.map((u) => u.id),
      });
    }
    return { updates: page.updates.map((e) => updateView(e, session.facts.registered.role)), remaining: page.remaining };
  }

  async notify(input: { sessionId: string; changeType: ChangeType; summary: string; files?: string[]; priority?: Priority; notify?: NotifyTarget }) {
    checkText('summary', input.summary);
    if ((input.files?.length ?? 0) > MAX_FILES_PER_CALL) {
      throw new UserError('INVALID_INPUT', `files lists ${input.files!.length} paths; the limit is ${MAX_FILES_PER_CALL}`, 'Name the most important files');
    }
    await this.index.refresh();
    const session = this.requireSession(input.sessionId);
    const group = requireGroup(await this.topology.current(), session.group.name);
    const fromRole = session.facts.registered.role;
    if (Array.isArray(input.notify)) checkRoles(group, input.notify, 'notify');
    const routed = route(group, {
      fromRole,
      types: [input.changeType],
      ...(input.notify !== undefined ? { notify: input.notify } : {}),
      ...(input.priority !== undefined ? { priority: input.priority } : {}),
    });
    const files = input.files ?? [];
    const event = await this.write(sessionRef(input.sessionId), {
      kind: 'event', id: randomId('ev'), group: group.name, role: fromRole, session: input.sessionId, at: this.env.now(),
      types: [input.changeType], summary: input.summary, priority: routed.priority, targets: routed.targets, source: 'tool',
      ...(files.length ? { files: files.slice(0, MAX_FILES_PER_RECORD), fileCount: files.length } : {}),
    });
    return { eventId: event.id, notifiedRoles: routed.targets.map((t) => t.role), priority: routed.priority };
  }

  /**
   * A running session's uncommitted edits changed: record them for query_project_state, and
   * announce them only where a rule opts in (`uncommitted: true`).
   */
  async reportWorkingTree(sessionId: string, snapshot: { files: string[]; fileCount: number; types: ChangeType[] }): Promise<void> {
    const found = this.state.findSession(sessionId);
    if (!found || found.facts.ended) return;
    const { group: state, facts } = found;
    const role = facts.registered.role;
    const base = { group: state.name, role, session: sessionId, at: this.env.now() };
    await this.write(sessionRef(sessionId), {
      kind: 'worktree', id: randomId('wt'), ...base,
      files: snapshot.files.slice(0, MAX_FILES_PER_RECORD), fileCount: snapshot.fileCount, types: snapshot.types,
    });
    if (snapshot.types.length === 0) return;
    const group = (await this.topology.current()).groups[state.name];
    if (!group) return;
    const routed = route(group, { fromRole: role, types: snapshot.types, uncommitted: true });
    if (routed.targets.length === 0) return;
    await this.write(sessionRef(sessionId), {
      kind: 'event', id: randomId('ev'), ...base, types: snapshot.types, priority: routed.priority, targets: routed.targets,
      source: 'working-tree', summary: `editing ${snapshot.fileCount} file(s), not committed yet: ${snapshot.files.slice(0, 5).join(', ')}`,
      files: snapshot.files.slice(0, MAX_FILES_PER_RECORD), fileCount: snapshot.fileCount,
    });
  }

  // ---- queries ---------------------------------------------------------------------------

  async queryProjectState(input: { projectGroup: string; role: string }) {
    const topology = await this.topology.current();
    const group = requireGroup(topology, input.projectGroup);
    const member = memberByRole(group, input.role);
    if (!member) throw unknownRole(group, input.role);
    await this.index.refresh();
    const state = this.state.group(group.name);
    const sessions = [...state.sessions.values()].filter((s) => s.registered.role === input.role).map((s) => this.sessionView(s));
    const recent = (state.eventsFromRole.get(input.role) ?? []).slice(0, 10);
    const worktree = [...state.sessions.values()]
      .filter((s) => s.registered.role === input.role && s.worktree && !s.ended)
      .map((s) => s.worktree!)
      .sort((a, b) => b.at - a.at)[0];
    return {
      projectGroup: group.name,
      role: input.role,
      path: member.path,
      sessions: sortSessions(sessions),
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

  async listGroupSessions(input: { projectGroup: string; includeInactive?: boolean }) {
    const topology = await this.topology.current();
    const group = requireGroup(topology, input.projectGroup);
    await this.index.refresh();
    const views = [...this.state.group(group.name).sessions.values()].map((s) => this.sessionView(s));
    return { sessions: sortSessions(input.includeInactive ? views : views.filter((v) => v.status === 'active')) };
  }

  async getTopology(input: { projectGroup?: string }) {
    const topology = await this.topology.current();
    const groups = input.projectGroup ? [requireGroup(topology, input.projectGroup)] : Object.values(topology.groups);
    return {
      groups: groups.map((g) => ({
        name: g.name,
        description: g.description ?? null,
        members: g.members.map((m) => ({
          role: m.role, path: m.path, dependsOn: m.dependsOn, dependents: dependentsOf(g, m.role).map((d) => d.role), exports: m.exports,
        })),
        communicationRules: g.communicationRules.map((r) => ({ when: r.when, from: r.from, notify: r.notify, priority: r.priority })),
      })),
    };
  }

  // ---- sync points -----------------------------------------------------------------------

  async requestSyncPoint(input: { sessionId: string; description: string; participants?: NotifyTarget; timeoutSeconds?: number }) {
    checkText('description', input.description);
    await this.index.refresh();
    const session = this.requireSession(input.sessionId);
    const group = requireGroup(await this.topology.current(), session.group.name);
    const role = session.facts.registered.role;
    if (Array.isArray(input.participants)) checkRoles(group, input.participants, 'participants');
    const participants = participantsFor(group, role, input.participants ?? 'dependents');
    if (participants.length === 0) {
      throw new UserError('NO_PARTICIPANTS', `nobody would take part: ${role} has no ${JSON.stringify(input.participants ?? 'dependents')} in ${group.name}`,
        'Name the roles in participants, or use "all"');
    }
    const now = this.env.now();
    const syncPointId = randomId('sp');
    await this.write(sessionRef(input.sessionId), {
      kind: 'sync.requested', id: syncPointId, group: group.name, role, session: input.sessionId, at: now,
      syncPointId, description: input.description, participants,
      expiresAt: now + (input.timeoutSeconds !== undefined ? input.timeoutSeconds * 1000 : this.settings.syncTimeoutMs),
    });
    return { syncPointId, participants, status: 'pending' as const };
  }

  async acknowledgeSyncPoint(input: { sessionId: string; syncPointId: string; note?: string }) {
    if (input.note !== undefined) checkText('note', input.note);
    await this.index.refresh();
    const session = this.requireSession(input.sessionId);
    const role = session.facts.registered.role;
    const before = this.syncState(session.group, input.syncPointId);
    const problem = ackProblem(before, input.syncPointId, role);
    if (problem) {
      // Acknowledging twice is harmless: report the state instead of failing.
      if (problem.code === 'ALREADY_RESOLVED' && before) return { syncPointId: input.syncPointId, status: before.status, remaining: before.remaining };
      if (before && problem.code !== 'UNKNOWN_SYNC_POINT' && before.acknowledgedBy.includes(role)) {
        return { syncPointId: input.syncPointId, status: before.status, remaining: before.remaining };
      }
      throw new UserError(problem.code === 'UNKNOWN_SYNC_POINT' ? 'UNKNOWN_SYNC_POINT' : 'SYNC_POINT_REFUSED', problem.message,
        'See get_pending_sync_points for the sync points waiting on you');
    }
    if (!before!.acknowledgedBy.includes(role)) {
      await this.write(sessionRef(input.sessionId), {
        kind: 'sync.acknowledged', id: randomId('ack'), group: session.group.name, role, session: input.sessionId,
        at: this.env.now(), syncPointId: input.syncPointId, ...(input.note !== undefined ? { note: input.note } : {}),
      });
    }
    const after = this.syncState(session.group, input.syncPointId)!;
    return { syncPointId: input.syncPointId, status: after.status, remaining: after.remaining };
  }

  async getPendingSyncPoints(input: { sessionId: string }) {
    await this.index.refresh();
    const session = this.requireSession(input.sessionId);
    const role = session.facts.registered.role;
    const requested = [...session.group.syncRequests.values()]
      .filter((r) => r.role === role)
      .map((r) => this.syncState(session.group, r.syncPointId)!)
      .filter((s) => s.status === 'pending' || this.env.now() - s.expiresAt < this.settings.syncTimeoutMs);
    return {
      toAcknowledge: this.syncPointsToAcknowledge(session.group, role).map(syncView),
      requested: requested.map(syncView),
    };
  }

  // ---- helpers ---------------------------------------------------------------------------

  syncPointsToAcknowledge(group: GroupState, role: string): SyncPointState[] {
    const out: SyncPointState[] = [];
    for (const request of group.syncRequests.values()) {
      if (!request.participants.includes(role)) continue;
      const state = this.syncState(group, request.syncPointId)!;
      if (state.status === 'pending' && state.remaining.includes(role)) out.push(state);
    }
    return out;
  }

  syncState(group: GroupState, syncPointId: string): SyncPointState | undefined {
    const request = group.syncRequests.get(syncPointId);
    if (!request) return undefined;
    return syncPointState(request, group.syncAcks.get(syncPointId) ?? [], { now: this.env.now(), roleOfSession: roleLookup(group) });
  }

  /** A session this process answers for: known, not ended, and its delivered ids loaded (see `track`). */
  async servedSession(sessionId: string): Promise<{ group: GroupState; facts: SessionFacts }> {
    const session = this.requireSession(sessionId);
    await this.track(session);
    return session;
  }

  /**
   * Loads what a session has already received, from its own ref, once; from then on the index
   * keeps it current. Only sessions asked about are loaded: a long history holds millions of
   * delivered ids that nobody needs.
   */
  async track(session: { group: GroupState; facts: SessionFacts }): Promise<void> {
    const id = session.facts.registered.session;
    if (session.group.isTracked(id)) return;
    const tip = await this.store.readRef(sessionRef(id));
    const delivered: string[] = [];
    if (tip) {
      await this.store.log([tip], { notBefore: this.env.now() - this.settings.retentionMs }, (commit) => {
        if (commit.record?.kind === 'delivered') delivered.push(...commit.record.eventIds);
      });
    }
    session.group.track(id, delivered);
  }

  /** Pending updates of a session; `track` it first. */
  pendingPage(session: { group: GroupState; facts: SessionFacts }, limit: number) {
    if (!session.group.isTracked(session.facts.registered.session)) {
      throw new Error(`internal: pending updates of ${session.facts.registered.session} asked before its deliveries were loaded (call track first)`);
    }
    const recipient = recipientOf(session.facts);
    const marks = session.group.scanFrom;
    const mark = marks.get(recipient.id);
    const from = mark && mark.role === recipient.role && mark.clock === recipient.registeredClock ? mark.index : 0;
    const page = pendingUpdates(recipient, session.group.eventsByRole, session.group.deliveries, {
      now: this.env.now(), retentionMs: this.settings.retentionMs, limit, from,
    });
    marks.set(recipient.id, { role: recipient.role, clock: recipient.registeredClock, index: page.firstPending });
    return page;
  }

  /** Whether `event` waits for the given session (used by hooks that show updates once). */
  isPendingFor(sessionId: string, event: ChangeEvent): boolean {
    const found = this.state.findSession(sessionId);
    if (!found || !found.group.isTracked(sessionId)) return false;
    return isPending(recipientOf(found.facts), event, found.group.deliveries, { now: this.env.now(), retentionMs: this.settings.retentionMs });
  }

  sessionView(facts: SessionFacts): SessionView {
    const gone = facts.host === this.env.host && this.env.processGone(facts.pid);
    const status = liveness(
      { ended: facts.ended !== undefined, lastSeenAt: facts.lastSeenAt, processGone: gone },
      { now: this.env.now(), staleAfterMs: this.settings.staleAfterMs },
    );
    return {
      sessionId: facts.registered.session,
      role: facts.registered.role,
      repoPath: facts.registered.repoPath,
      currentTask: facts.currentTask ?? null,
      status,
      lastHeartbeat: iso(facts.lastSeenAt),
    };
  }

  requireSession(sessionId: string, options: { allowEnded?: boolean } = {}): { group: GroupState; facts: SessionFacts } {
    const problem = nameProblem(sessionId);
    const found = problem ? undefined : this.state.findSession(sessionId);
    if (!found) {
      throw new UserError('UNKNOWN_SESSION', `unknown session ${JSON.stringify(sessionId)}`,
        'Call register_session with your repo path and project group to get a session id');
    }
    if (found.facts.ended && !options.allowEnded) {
      throw new UserError('SESSION_ENDED', `session ${sessionId} has ended (${found.facts.ended.reason})`,
        'Call register_session again to start a new session');
    }
    return found;
  }

  /** Appends one record with the next Lamport clock and makes it visible to this process at once. */
  async write<D extends RecordDraft>(ref: string, draft: D): Promise<D & { v: 1; clock: number }> {
    const record = { ...draft, v: 1 as const, clock: this.index.maxClock + 1 };
    const [sha] = await this.store.append(ref, [record]);
    this.index.add({ record: record as OrchestratorRecord, sha: sha! });
    this.listeners.written?.();
    return record;
  }
}

function recipientOf(facts: SessionFacts): Recipient {
  const r: SessionRegistered = facts.registered;
  return { id: r.session, group: r.group, role: r.role, registeredClock: r.clock, registeredAt: r.at };
}

function roleLookup(group: GroupState): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const [id, facts] of group.sessions) map.set(id, facts.registered.role);
  return map;
}
