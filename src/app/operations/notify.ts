// notify_related_sessions: announce a change, routed by the group's rules (src/core/routing.ts).
import { MAX_FILES_PER_RECORD } from '../../core/records.js';
import { route } from '../../core/routing.js';
import type { ChangeType, NotifyTarget, Priority } from '../../core/types.js';
import { sessionRef } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { UserError } from '../errors.js';
import { randomId } from '../ids.js';
import { requireSession } from '../sessions.js';
import { checkRoles, checkText, MAX_FILES_PER_CALL, requireGroup } from '../validation.js';
import { contractsOfWorktree, routeWithConsumers, settleContract } from '../contract-digest.js';
import { writeRecord } from '../write.js';

export interface NotifyInput {
  sessionId: string;
  changeType: ChangeType;
  /** At most MAX_SUMMARY_CHARS characters. */
  summary: string;
  files?: string[];
  /** Overrides the rules' priority. */
  priority?: Priority;
  /** Overrides the rules' targets. */
  notify?: NotifyTarget;
  /** Keep it in the recipients' answers until a session of each role acknowledges it. */
  ackRequired?: boolean;
}

export interface NotifyResult {
  eventId: string;
  notifiedRoles: string[];
  priority: Priority;
  /** Said when nobody will hear it, or how to follow its delivery. */
  next?: string;
}

/** Writes one `event` record with its routing fixed. Errors: UNKNOWN_SESSION, SESSION_ENDED, UNKNOWN_ROLE, INVALID_INPUT. */
export async function notify(ctx: AppContext, input: NotifyInput): Promise<NotifyResult> {
  checkText('summary', input.summary);
  if ((input.files?.length ?? 0) > MAX_FILES_PER_CALL) {
    throw new UserError('INVALID_INPUT', `files lists ${input.files!.length} paths; the limit is ${MAX_FILES_PER_CALL}`, 'Name the most important files');
  }
  await ctx.records.refresh();
  const session = requireSession(ctx, input.sessionId);
  const group = requireGroup(await ctx.topology.current(), session.group.name);
  const fromRole = session.facts.registered.role;
  if (Array.isArray(input.notify)) checkRoles(group, input.notify, 'notify');
  const files = input.files ?? [];
  // Contract files named: their diff, working tree against HEAD (src/app/contract-digest.ts).
  const member = group.members.find((m) => m.role === fromRole);
  const found = member && files.length ? await contractsOfWorktree(session.facts.registered.repoPath, group, member, files) : null;
  const { types, contract } = settleContract([input.changeType], found ?? undefined, {});
  const routed = input.notify !== undefined
    ? route(group, { fromRole, types, notify: input.notify, ...(input.priority !== undefined ? { priority: input.priority } : {}) })
    : routeWithConsumers(group, fromRole, types, contract, input.priority !== undefined ? { priority: input.priority } : {});
  const event = await writeRecord(ctx, sessionRef(input.sessionId), {
    kind: 'event', id: randomId('ev'), group: group.name, role: fromRole, session: input.sessionId, at: ctx.env.now(),
    types, summary: input.summary, priority: routed.priority, targets: routed.targets, source: 'tool',
    ...(files.length ? { files: files.slice(0, MAX_FILES_PER_RECORD), fileCount: files.length } : {}),
    ...(input.ackRequired ? { ackRequired: true } : {}),
    ...(contract ? { contract } : {}),
  });
  const notifiedRoles = routed.targets.map((t) => t.role);
  const next = notifiedRoles.length === 0
    ? `nobody will hear it: no role ${input.notify === undefined ? `depends on ${fromRole} and no rule routes ${input.changeType} anywhere` : 'was named'}; pass notify (roles or "all") to reach someone`
    : `follow its delivery with get_update`;
  return { eventId: event.id, notifiedRoles, priority: routed.priority, next };
}
