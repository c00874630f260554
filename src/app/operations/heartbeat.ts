// heartbeat: prove a session alive (optionally with its current task) and say what waits for it.
import { sessionRef } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { randomId } from '../ids.js';
import { pendingPage, servedSession, syncPointsAwaiting } from '../sessions.js';
import { followsCommits } from '../commit-following.js';
import { checkTask } from '../validation.js';
import { writeRecord } from '../write.js';

export interface HeartbeatResult {
  sessionId: string;
  pendingUpdates: number;
  pendingSyncPoints: number;
}

/** Errors: UNKNOWN_SESSION, SESSION_ENDED, INVALID_INPUT (task too long). */
export async function heartbeat(ctx: AppContext, input: { sessionId: string; currentTask?: string }): Promise<HeartbeatResult> {
  checkTask(input.currentTask);
  await ctx.records.refresh();
  const session = await servedSession(ctx, input.sessionId);
  await keepAlive(ctx, input.sessionId, input.currentTask);
  const page = pendingPage(ctx, session, 0);
  return {
    sessionId: input.sessionId,
    pendingUpdates: page.remaining + page.updates.length,
    pendingSyncPoints: syncPointsAwaiting(ctx, session.group, session.facts.registered.role).length,
  };
}

/**
 * Writes a heartbeat record when the last one this process wrote is older than
 * `settings.heartbeatRecordMs` or the task changed; otherwise nothing (liveness needs no more).
 * A session unknown or ended is skipped.
 */
export async function keepAlive(ctx: AppContext, sessionId: string, currentTask?: string): Promise<void> {
  const now = ctx.env.now();
  const last = ctx.served.lastHeartbeat.get(sessionId);
  const taskChanged = currentTask !== undefined && currentTask !== last?.task;
  if (last && !taskChanged && now - last.at < ctx.settings.heartbeatRecordMs) return;
  const found = ctx.state.findSession(sessionId);
  if (!found || found.facts.ended) return;
  await writeRecord(ctx, sessionRef(sessionId), {
    kind: 'session.heartbeat', id: randomId('hb'), group: found.group.name, role: found.facts.registered.role, session: sessionId,
    at: now, host: ctx.env.host, pid: ctx.env.pid,
    // The latest record naming a process names the session's owner: it says again who follows commits.
    ...followsCommits(ctx),
    ...(currentTask !== undefined ? { currentTask } : {}),
  });
  ctx.served.lastHeartbeat.set(sessionId, { at: now, task: currentTask ?? last?.task ?? found.facts.currentTask });
}

/** keepAlive for every session this process serves; returns the failures, one per session. */
export async function keepServedAlive(ctx: AppContext): Promise<Array<{ sessionId: string; error: unknown }>> {
  const failures: Array<{ sessionId: string; error: unknown }> = [];
  for (const id of ctx.served.ids) {
    await keepAlive(ctx, id).catch((error: unknown) => failures.push({ sessionId: id, error }));
  }
  return failures;
}
