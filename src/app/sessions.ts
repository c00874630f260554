// Looking sessions up in the folded state, and what operations ask of them: are they live, what
// is pending for them, which sync points wait on them. Shared by the operations; no writes.
import { isPending, pendingUpdates, recipientOf, withOfferedAgain, type PendingPage } from '../core/state/delivery.js';
import { nameProblem } from '../core/names.js';
import type { ChangeEvent } from '../core/records.js';
import { liveness } from '../core/state/sessions.js';
import { syncPointState, type SyncPointState } from '../core/state/syncpoints.js';
import type { AppContext } from './context.js';
import { UserError } from './errors.js';
import { sessionRef } from '../store/index.js';
import type { GroupState, SessionFacts } from '../core/state/fold.js';
import { iso, type SessionView } from './views.js';
import { hookInstalled } from './commit-following.js';

/** A session found in the fold, with its group's state. */
export interface FoundSession {
  group: GroupState;
  facts: SessionFacts;
}

/**
 * The session with this id. Errors: UNKNOWN_SESSION (never registered, or not a valid id),
 * SESSION_ENDED (unless `allowEnded`). Call after `ctx.records.refresh()`.
 */
export function requireSession(ctx: AppContext, sessionId: string, options: { allowEnded?: boolean } = {}): FoundSession {
  const found = nameProblem(sessionId) ? undefined : ctx.state.findSession(sessionId);
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

/** A session whose pending updates will be asked for: known, not ended, its deliveries loaded. */
export async function servedSession(ctx: AppContext, sessionId: string): Promise<FoundSession> {
  const session = requireSession(ctx, sessionId);
  await loadDeliveries(ctx, session);
  return session;
}

/**
 * Loads what a session has already received, once; from then on the fold keeps it current.
 * Only sessions asked about are loaded: a long history holds millions of delivered ids that
 * nobody needs. Reads the session's own ref (or takes them from a read cache, see AppContext).
 */
export async function loadDeliveries(ctx: AppContext, session: FoundSession): Promise<void> {
  const id = session.facts.registered.session;
  if (session.group.isTracked(id)) return;
  // A lean start from the checkpoint holds what a session registering after it could be sent; one
  // registered before it may still have older updates coming: fold those in first.
  const { clock } = session.facts.firstRegistered;
  if (clock <= ctx.leanUpTo()) await ctx.completeState({ since: { group: session.group.name, role: session.facts.registered.role, clock } });
  const known = ctx.knownDeliveries?.(id);
  if (known) {
    session.group.track(id, known);
    return;
  }
  const tip = await ctx.store.readRef(sessionRef(id));
  const delivered: string[] = [];
  if (tip) {
    await ctx.store.log([tip], { notBefore: ctx.env.now() - ctx.settings.retentionMs }, (commit) => {
      if (commit.record?.kind === 'delivered') delivered.push(...commit.record.eventIds, ...(commit.record.syncPointIds ?? []));
    });
  }
  session.group.track(id, delivered);
}

/** Pending updates of a session, oldest first, `limit` at most; load its deliveries first. */
export function pendingPage(ctx: AppContext, session: FoundSession, limit: number): SessionPendingPage {
  const id = session.facts.registered.session;
  if (!session.group.isTracked(id)) {
    throw new Error(`internal: pending updates of ${id} asked before its deliveries were loaded (call loadDeliveries first)`);
  }
  const recipient = recipientOf(session.facts);
  const marks = session.group.scanFrom;
  const mark = marks.get(recipient.id);
  const from = mark && mark.role === recipient.role && mark.clock === recipient.registeredClock ? mark.index : 0;
  const options = { now: ctx.env.now(), retentionMs: ctx.settings.retentionMs, limit, from };
  const page = pendingUpdates(recipient, session.group.eventsByRole, session.group.deliveries, options);
  marks.set(recipient.id, { role: recipient.role, clock: recipient.registeredClock, index: page.firstPending });
  const lost = ctx.unreplied?.lost(session.group.name, recipient.role);
  if (!lost || (lost.eventIds.size === 0 && lost.syncPointIds.size === 0)) return page;
  const events = [...lost.eventIds].flatMap((e) => session.group.eventsById.get(e) ?? []);
  const again = withOfferedAgain(recipient, page, events, session.group.deliveries, options);
  return { ...again, lost: { eventIds: again.offeredAgain, syncPointIds: [...lost.syncPointIds], notes: lost.notes } };
}

/** Pending updates, with what pages whose reply was lost offer again (app/unreplied.ts). */
export interface SessionPendingPage extends PendingPage {
  /** Present when notes of lost pages exist for the role: what they offer again, and the notes. */
  lost?: { eventIds: string[]; syncPointIds: string[]; notes: string[] };
}

/** Whether `event` waits for the session (false when its deliveries are not loaded). */
export function isPendingFor(ctx: AppContext, sessionId: string, event: ChangeEvent): boolean {
  const found = ctx.state.findSession(sessionId);
  if (!found || !found.group.isTracked(sessionId)) return false;
  return isPending(recipientOf(found.facts), event, found.group.deliveries, { now: ctx.env.now(), retentionMs: ctx.settings.retentionMs });
}

/** The state of one sync point now, or undefined when no such point was requested in the group. */
export function syncState(ctx: AppContext, group: GroupState, syncPointId: string): SyncPointState | undefined {
  const request = group.syncRequests.get(syncPointId);
  if (!request) return undefined;
  const roles = new Map<string, string>();
  for (const [id, facts] of group.sessions) roles.set(id, facts.registered.role);
  // Deadlines in the requester's clock, acknowledgements in each acker's: read both on ours.
  return syncPointState(request, group.syncAcks.get(syncPointId) ?? [], {
    now: ctx.env.now(), roleOfSession: roles,
    ...(ctx.peerClocks ? { localTime: (session: string | undefined, at: number) => at + clockOffsetOf(ctx, session) } : {}),
  });
}

/**
 * The correction (ms) that reads a time `session` wrote on this machine's clock: 0 for sessions
 * of this machine and for machines whose clock agrees with ours (app/peer-clocks.ts).
 */
export function clockOffsetOf(ctx: AppContext, session: string | undefined): number {
  if (!ctx.peerClocks || session === undefined) return 0;
  return ctx.peerClocks.offset(session, (s) => ctx.state.findSession(s)?.facts.registered.host);
}

/** Pending sync points the role still has to acknowledge. */
export function syncPointsAwaiting(ctx: AppContext, group: GroupState, role: string): SyncPointState[] {
  const out: SyncPointState[] = [];
  for (const request of group.syncRequests.values()) {
    if (!request.participants.includes(role)) continue;
    const state = syncState(ctx, group, request.syncPointId)!;
    if (state.status === 'pending' && state.remaining.includes(role)) out.push(state);
  }
  return out;
}

/** A session as callers see it, with its liveness now. */
export function sessionView(ctx: AppContext, facts: SessionFacts): SessionView {
  const gone = facts.host === ctx.env.host && ctx.env.processGone(facts.pid);
  // Heard of on the writer's clock; judged on ours.
  const lastSeenAt = facts.lastSeenAt + clockOffsetOf(ctx, facts.registered.session);
  const status = liveness(
    { ended: facts.ended !== undefined, lastSeenAt, processGone: gone },
    { now: ctx.env.now(), staleAfterMs: ctx.settings.staleAfterMs },
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

/**
 * The live session a client session (e.g. a Claude Code session id) registered, preferring the
 * one whose repo holds `projectDir`; null when it has none. Call after `ctx.records.refresh()`.
 */
export function findClientSession(ctx: AppContext, clientSession: string, projectDir: string): FoundSession | null {
  const live = ctx.state.sessionsOfClient(clientSession).filter((s) => !s.facts.ended);
  const inside = (root: string) => projectDir === root || projectDir.startsWith(root.endsWith('/') ? root : `${root}/`);
  return live.find((s) => inside(s.facts.registered.repoPath)) ?? live[0] ?? null;
}

/** What the sessions of one recipient role did with an update. */
export type DeliveryState = 'queued' | 'delivered' | 'acknowledged';

export interface RoleDelivery {
  role: string;
  /**
   * queued: no session of the role has had it yet; delivered: a session of the role was given it
   * (an answer of get_cross_project_updates, or a hook's note); acknowledged: a session of the
   * role said it handled it.
   */
  state: DeliveryState;
  /** The acknowledgement's note, when it had one. */
  note?: string;
}

/**
 * The delivery state of an update for each of its target roles, from the records read so far
 * (a state started from the checkpoint knows each role's first delivery and acknowledgement, not
 * their times or notes).
 */
export function deliveryStates(group: GroupState, event: ChangeEvent): RoleDelivery[] {
  const states = group.updateStates.get(event.id);
  const { firstByRole, acknowledgedByRole } = group.deliveries;
  return [...new Set(event.targets.map((t) => t.role))].map((role) => {
    const state = states?.get(role);
    if (state?.acknowledged) return { role, state: 'acknowledged' as const, ...(state.acknowledged.note ? { note: state.acknowledged.note } : {}) };
    if (acknowledgedByRole?.get(role)?.has(event.id)) return { role, state: 'acknowledged' as const };
    return { role, state: state || firstByRole.get(role)?.has(event.id) ? ('delivered' as const) : ('queued' as const) };
  });
}

/**
 * Sync points waiting on the session's role that its updates have not shown it yet (each is shown
 * once there), and those among `lost` (shown on a page whose reply was lost).
 */
export function syncPointsNotShown(ctx: AppContext, session: FoundSession, lost: readonly string[] = []): SyncPointState[] {
  const had = session.group.deliveries.bySession.get(session.facts.registered.session);
  const again = new Set(lost);
  return syncPointsAwaiting(ctx, session.group, session.facts.registered.role).filter((s) => !had?.has(s.syncPointId) || again.has(s.syncPointId));
}

/**
 * The pending updates sent `ackRequired` that the session's role has not acknowledged: until it
 * does, a Stop hook keeps the session going (as for sync points). Load its deliveries first.
 */
export function awaitingAcknowledgement(ctx: AppContext, session: FoundSession): ChangeEvent[] {
  return pendingPage(ctx, session, Infinity).updates.filter((e) => e.ackRequired);
}

/**
 * How a member's commits become updates: `hook` (its post-commit hook is installed on this
 * machine), `server` (a live session of the role runs in a process that follows the repo's
 * commits itself), or `none` (nobody hears of its commits until a hook or a server is there).
 */
export type CommitFollowing = 'hook' | 'server' | 'none';

export function commitFollowing(ctx: AppContext, group: GroupState, role: string, repoPath: string): CommitFollowing {
  if (hookInstalled(repoPath)) return 'hook';
  for (const facts of group.sessions.values()) {
    if (facts.registered.role !== role || facts.commits !== 'server') continue;
    if (sessionView(ctx, facts).status === 'active') return 'server';
  }
  return 'none';
}

/**
 * Names the session (and its host, from that session's own records) that wrote each listed update,
 * so what hooks show says whose words they are. Commits carry no session: their line names the commit.
 */
export function withOrigins<T extends { event: ChangeEvent; origin?: { session: string; host?: string } }>(group: GroupState, listed: T[]): T[] {
  for (const item of listed) {
    const session = item.event.session;
    if (session === undefined) continue;
    const host = group.sessions.get(session)?.host;
    item.origin = { session, ...(host ? { host } : {}) };
  }
  return listed;
}
