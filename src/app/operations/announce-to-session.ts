// What a client's hooks show a session unasked (SessionStart, UserPromptSubmit, PostToolUse): its
// pending updates and the sync points waiting on it, each once per conversation, recorded as
// `announced`. Which session and what to show follow the lifecycle state machine
// (core/client-lifecycle.ts); the select-and-record step runs under the session's lock
// (app/client-binding.ts), so concurrent hooks of one session show each update once in total.
import { selectAnnouncement, type Announcement } from '../../core/announce.js';
import { lifecycleStep, type LifecycleEvent, type ShowRule } from '../../core/client-lifecycle.js';
import { sessionRef } from '../../store/index.js';
import { lockSession, noteContext, readContexts, writePidBinding } from '../client-binding.js';
import type { AppContext } from '../context.js';
import { randomId } from '../ids.js';
import { loadDeliveries, pendingPage, syncPointsAwaiting, withOrigins, type FoundSession } from '../sessions.js';
import { writeRecord } from '../write.js';
import { clientSession, clientSessionLine, resolveClientSession, type ClientProject, type ClientSessionLine } from './client-session.js';

export interface AnnounceInput extends ClientProject {
  /** The lifecycle event the hook answers (default: a per-prompt hook). */
  event?: LifecycleEvent;
}

export interface AnnounceResult {
  session: ClientSessionLine;
  announcement: Announcement;
  /** The rule the state machine chose. */
  show: ShowRule;
}

/**
 * Null when the client has no session here (and the event does not register one), or when the
 * session's lock stayed busy (nothing is shown rather than something twice). Errors: the
 * store's and the topology's (when registering).
 */
export async function announceToSession(ctx: AppContext, input: AnnounceInput): Promise<AnnounceResult | null> {
  const event = input.event ?? { kind: 'prompt' };
  const home = ctx.paths.home;
  const client = { clientSession: input.clientSession, projectDir: input.projectDir };
  await ctx.records.refresh();
  let found: FoundSession | null = resolveClientSession(ctx, client);
  if (!found && lifecycleStep(event, { bound: false, contextSeen: false }).register) {
    found = await clientSession(ctx, client, { register: true });
  }
  if (!found) return null;
  const sessionId = found.facts.registered.session;
  const lock = await lockSession(home, sessionId);
  if (!lock) return null;
  let announcement: Announcement;
  let show: ShowRule;
  try {
    // Under the lock: what concurrent hooks recorded is read before choosing.
    await ctx.records.refresh();
    found = ctx.state.findSession(sessionId) ?? found;
    const step = lifecycleStep(event, { bound: true, contextSeen: input.clientSession in readContexts(home, sessionId).contexts });
    show = step.show;
    announcement = await announce(ctx, found, show);
    if (step.noteContext) {
      noteContext(home, sessionId, input.clientSession, { source: event.kind === 'session-start' ? event.source ?? 'startup' : 'prompt', at: ctx.env.now() });
    }
  } finally {
    await lock.release();
  }
  try {
    writePidBinding(home, ctx.env.pid, sessionId);
  } catch {
    // The binding only helps find the session after /clear.
  }
  return { session: await clientSessionLine(ctx, found), announcement, show };
}

async function announce(ctx: AppContext, session: FoundSession, show: ShowRule): Promise<Announcement> {
  await loadDeliveries(ctx, session);
  const sessionId = session.facts.registered.session;
  const role = session.facts.registered.role;
  const pending = show === 'nothing' ? [] : pendingPage(ctx, session, Infinity).updates;
  const waiting = show === 'nothing' ? [] : syncPointsAwaiting(ctx, session.group, role);
  const before = session.group.announced.get(sessionId);
  const announcement = selectAnnouncement(pending, waiting, { role, ...(show !== 'everything' && before ? { announced: before } : {}) });
  withOrigins(session.group, announcement.listed);
  const eventIds = announcement.eventIds.filter((id) => !before?.has(id));
  const syncPointIds = announcement.syncPointIds.filter((id) => !before?.has(id));
  if (eventIds.length > 0 || syncPointIds.length > 0) {
    await writeRecord(ctx, sessionRef(sessionId), {
      kind: 'announced', id: randomId('ann'), group: session.group.name, role, session: sessionId,
      at: ctx.env.now(), eventIds, syncPointIds,
    });
  }
  return announcement;
}
