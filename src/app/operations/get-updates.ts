// get_cross_project_updates: the session's pending updates and the sync points waiting on it,
// oldest first, in one answer bounded in bytes; what the answer carried is marked delivered.
import type { ChangeEvent } from '../../core/records.js';
import type { SyncPointState } from '../../core/state/syncpoints.js';
import { sessionRef } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { UserError } from '../errors.js';
import { randomId } from '../ids.js';
import { pendingPage, servedSession, syncPointsNotShown, type FoundSession } from '../sessions.js';
import { checkText } from '../validation.js';
import { iso, updateView, type UpdateView } from '../views.js';
import { writeRecord } from '../write.js';
import type { PageReceipt } from '../unreplied.js';

export interface GetUpdatesInput {
  sessionId: string;
  /** Most updates in the answer; default `settings.updatesPageSize`. The byte budget may return fewer. */
  limit?: number;
  /** Look without marking them delivered. */
  peek?: boolean;
  /** Ids of updates this session handled: acknowledged for its role (first, so they drop out of the answer). */
  ack?: string[];
  /** For the senders of the acknowledged updates. */
  note?: string;
}

/** A sync point waiting on the session, as its updates show it (once). */
export interface SyncPointNotice {
  syncPointId: string;
  fromRole: string;
  description: string;
  expiresAt: string;
}

export interface GetUpdatesResult {
  updates: UpdateView[];
  /** Sync points waiting on your role, each shown here once (get_pending_sync_points lists them all). */
  syncPoints?: SyncPointNotice[];
  /** Pending updates (and sync points) not in this answer. */
  remaining: number;
  /** What to do next, when there is something. */
  next?: string;
}

/** How the caller tells when its reply reached the reader. */
export interface ReplyWatch {
  /**
   * Called with the page's receipt: settle it (`replied()`) once the answer is written to the
   * reader (the MCP adapter: after the response left on stdout). Absent: the caller holds the
   * answer on return, and the receipt is settled then.
   */
  written?(receipt: PageReceipt): void;
}

/**
 * Bytes of JSON one answer carries at most: the client shows the model the answer twice
 * (structured and as text), so about 20 KB, under Claude Code's 10,000-token warning.
 */
export const ANSWER_BUDGET_BYTES = 10_000;

/** A commit and an announcement from the same role this close in time (ms), naming the same files or none, are one change. */
export const LINK_WINDOW_MS = 10 * 60_000;
/** How far around an event, in its role's pending list, its partner is looked for. */
const LINK_SCAN = 64;

/**
 * One answer of pending updates; unless `peek`, records what it carried as delivered (a
 * `delivered` record on the session's ref) before returning it. Pages a killed process recorded
 * but never replied with come first (`reply`: how the caller says its answer was written).
 * Never more than `limit` updates nor `ANSWER_BUDGET_BYTES`; what did not fit stays pending and
 * is counted in `remaining`.
 * Errors: UNKNOWN_SESSION, SESSION_ENDED, INVALID_INPUT (ack of an update not sent to the role).
 */
export async function getUpdates(ctx: AppContext, input: GetUpdatesInput, reply: ReplyWatch = {}): Promise<GetUpdatesResult> {
  if (input.note !== undefined) checkText('note', input.note);
  await ctx.records.refresh();
  const session = await servedSession(ctx, input.sessionId);
  const role = session.facts.registered.role;
  if (input.ack?.length) await acknowledge(ctx, session, input.ack, input.note);

  const page = pendingPage(ctx, session, Infinity);
  const pending = page.updates;
  const waiting = syncPointsNotShown(ctx, session, page.lost?.syncPointIds);
  const limit = input.limit ?? ctx.settings.updatesPageSize;

  let bytes = 40;
  const syncPoints: SyncPointNotice[] = [];
  for (const s of waiting) {
    const notice = syncNotice(s);
    const size = Buffer.byteLength(JSON.stringify(notice)) + 1;
    if (syncPoints.length > 0 && bytes + size > ANSWER_BUDGET_BYTES) break;
    syncPoints.push(notice);
    bytes += size;
  }

  const items = linkedItems(session, pending);
  const updates: UpdateView[] = [];
  const carried: string[] = [];
  let taken = 0;
  for (const item of items) {
    if (updates.length >= limit) break;
    const view = updateView(item.event, role);
    if (item.sameAs.length) view.sameAs = item.sameAs.map((e) => e.id);
    const size = Buffer.byteLength(JSON.stringify(view)) + 1;
    if ((updates.length > 0 || syncPoints.length > 0) && bytes + size > ANSWER_BUDGET_BYTES) break;
    updates.push(view);
    carried.push(item.event.id, ...item.sameAs.map((e) => e.id));
    bytes += size;
    taken++;
  }
  const remaining = items.length - taken + waiting.length - syncPoints.length;

  const shownSyncPoints = syncPoints.map((s) => s.syncPointId);
  // ackRequired updates stay pending whatever is recorded; recording them delivered tells their senders.
  if (!input.peek && (carried.length > 0 || shownSyncPoints.length > 0)) {
    // Noted before the record, settled once the reply is written: a process killed in between
    // leaves the note, and the role's next reader is offered the page again (app/unreplied.ts).
    // The lost pages this one carries whole are settled with it.
    const lost = page.lost;
    const settles = lost && [...lost.eventIds, ...lost.syncPointIds].every((id) => carried.includes(id) || shownSyncPoints.includes(id));
    const receipt = ctx.unreplied?.begin(
      { group: session.group.name, role, session: input.sessionId, eventIds: carried, syncPointIds: shownSyncPoints },
      settles ? lost.notes : [],
    );
    try {
      await writeRecord(ctx, sessionRef(input.sessionId), {
        kind: 'delivered', id: randomId('dlv'), group: session.group.name, role, session: input.sessionId,
        at: ctx.env.now(), eventIds: carried, ...(shownSyncPoints.length ? { syncPointIds: shownSyncPoints } : {}),
      });
    } catch (error) {
      receipt?.cancel();
      throw error;
    }
    ctx.env.failpoint?.('delivered-before-reply');
    if (receipt) (reply.written ? reply.written(receipt) : receipt.replied());
  }
  const next = nextStep(updates, syncPoints, remaining, input.peek ?? false);
  return { updates, ...(syncPoints.length ? { syncPoints } : {}), remaining, ...(next ? { next } : {}) };
}

function syncNotice(s: SyncPointState): SyncPointNotice {
  return { syncPointId: s.syncPointId, fromRole: s.requestedBy.role, description: s.description, expiresAt: iso(s.expiresAt) };
}

function nextStep(updates: UpdateView[], syncPoints: SyncPointNotice[], remaining: number, peek: boolean): string | undefined {
  const steps: string[] = [];
  if (syncPoints.length) steps.push('do what each sync point asks, then acknowledge_sync_point');
  const toAck = updates.filter((u) => u.ackRequired).map((u) => u.id);
  if (toAck.length) steps.push(`once handled, call get_cross_project_updates with ack ${JSON.stringify(toAck)}`);
  if (remaining > 0) steps.push(`${remaining} more waiting: call get_cross_project_updates again${peek ? ' without peek' : ''}`);
  return steps.length ? `${steps.join('; ')}.` : undefined;
}

interface Item {
  event: ChangeEvent;
  /** Pending events this one stands for (linked: a commit and its announcement). */
  sameAs: ChangeEvent[];
}

/**
 * Pending events with each commit and the announcement describing it merged into one item (the
 * announcement's view, the commit's SHA). Linked: same source role, one from a commit and one
 * from a tool, at most LINK_WINDOW_MS apart, and the announcement names none of its files or
 * shares one with the commit. The later of the two takes the earlier's place in the order.
 */
function linkedItems(session: FoundSession, pending: ChangeEvent[]): Item[] {
  // Each announcement takes the closest in time of the commits it could describe (an announcement
  // naming a file goes with the latest commit that touched it, not the first one found).
  // Pending is in record order, close to time order: a partner is near (bounded, so a long
  // backlog stays linear).
  const partnerOf = new Map<string, ChangeEvent>();
  for (let i = 0; i < pending.length; i++) {
    const event = pending[i]!;
    if (event.source !== 'tool') continue;
    let best: ChangeEvent | undefined;
    for (let j = Math.max(0, i - LINK_SCAN); j < Math.min(pending.length, i + LINK_SCAN); j++) {
      const other = pending[j]!;
      if (j === i || other.source !== 'commit' || partnerOf.has(other.id) || !linked(event, other)) continue;
      if (!best || Math.abs(other.at - event.at) < Math.abs(best.at - event.at)) best = other;
    }
    if (best) {
      partnerOf.set(event.id, best);
      partnerOf.set(best.id, event);
    }
  }
  const used = new Set<string>();
  const items: Item[] = [];
  for (const event of pending) {
    if (used.has(event.id)) continue;
    const partner = partnerOf.get(event.id);
    if (!partner) {
      items.push({ event, sameAs: [] });
      continue;
    }
    used.add(partner.id);
    const [tool, commit] = event.source === 'commit' ? [partner, event] : [event, partner];
    items.push({ event: { ...tool, ...(commit.commit ? { commit: commit.commit } : {}), ...(commit.ackRequired ? { ackRequired: true } : {}) }, sameAs: [commit] });
  }
  void session;
  return items;
}

function linked(a: ChangeEvent, b: ChangeEvent): boolean {
  if (a.role !== b.role || a.group !== b.group) return false;
  const commit = a.source === 'commit' ? a : b.source === 'commit' ? b : null;
  const tool = a.source === 'tool' ? a : b.source === 'tool' ? b : null;
  if (!commit || !tool) return false;
  if (Math.abs(a.at - b.at) > LINK_WINDOW_MS) return false;
  if (!tool.files?.length) return true;
  const files = new Set(commit.files ?? []);
  return tool.files.some((f) => files.has(f));
}

async function acknowledge(ctx: AppContext, session: FoundSession, ids: string[], note: string | undefined): Promise<void> {
  const role = session.facts.registered.role;
  const unknownIds = () => ids.filter((id) => !session.group.eventsById.get(id)?.targets.some((t) => t.role === role));
  let unknown = unknownIds();
  // A lean start holds only the updates still undelivered and the latest: fold in the rest.
  if (unknown.length && ctx.leanUpTo() > 0) {
    await ctx.completeState({ ids: new Set(unknown) });
    unknown = unknownIds();
  }
  if (unknown.length) {
    throw new UserError('INVALID_INPUT', `no update ${unknown.map((id) => JSON.stringify(id)).join(', ')} was sent to ${role}`,
      'Acknowledge ids from get_cross_project_updates');
  }
  const acked = session.group.deliveries.acknowledgedByRole?.get(role);
  const fresh = [...new Set(ids)].filter((id) => !acked?.has(id));
  if (fresh.length === 0) return;
  await writeRecord(ctx, sessionRef(session.facts.registered.session), {
    kind: 'acknowledged', id: randomId('uack'), group: session.group.name, role, session: session.facts.registered.session,
    at: ctx.env.now(), eventIds: fresh, ...(note !== undefined ? { note } : {}),
  });
}
