// get_update and `log --show`: updates in full — delivery states per recipient role and the
// contract diff.
import type { ChangeEvent, ContractReport } from '../../core/records.js';
import type { RouteTarget } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { UserError } from '../errors.js';
import { requireSession } from '../sessions.js';
import { updateView, type UpdateView } from '../views.js';
import { getUpdateStatus, type UpdateStatus } from './get-update-status.js';

export interface GetUpdateInput {
  /** The reading session: the view is its role's (priority, via chain, names it uses). Optional for the CLI. */
  sessionId?: string;
  updateId: string;
}

export interface UpdateDetails {
  update: UpdateView;
  /** Every file the event listed (at most 200) and how many it changed. */
  files: string[];
  fileCount: number;
  targets: RouteTarget[];
  source: ChangeEvent['source'];
  /** The full contract diff, or null when the event carried no contract file. */
  contract: ContractReport | null;
}

/**
 * One event by id, within the retention window, whoever it was sent to (ids are not secret
 * within a group). Reads nothing but the records. Errors: UNKNOWN_SESSION, INVALID_INPUT (no
 * such update).
 */
export async function getUpdate(ctx: AppContext, input: GetUpdateInput): Promise<UpdateDetails> {
  await ctx.records.refresh();
  const session = input.sessionId !== undefined ? requireSession(ctx, input.sessionId, { allowEnded: true }) : undefined;
  const groups = session ? [session.group.name] : Object.keys((await ctx.topology.current()).groups);
  const find = () => groups.map((name) => ctx.state.group(name).eventsById.get(input.updateId)).find((e) => e !== undefined);
  let event: ChangeEvent | undefined = find();
  // A lean start holds only the updates still undelivered and the latest: fold in the rest.
  if (!event && ctx.leanUpTo() > 0) {
    await ctx.completeState({ ids: new Set([input.updateId]) });
    event = find();
  }
  if (!event) {
    throw new UserError('INVALID_INPUT', `no update ${JSON.stringify(input.updateId)}${session ? ` in group ${session.group.name}` : ''}`,
      'Use an id from get_cross_project_updates or `claude-orchestrator log`; updates older than the retention window are not kept');
  }
  const role = session?.facts.registered.role ?? '';
  return {
    update: updateView(event, role),
    files: event.files ?? [],
    fileCount: event.fileCount ?? event.files?.length ?? 0,
    targets: event.targets,
    source: event.source,
    contract: event.contract ?? null,
  };
}

/** An update as get_update shows it: its delivery states and, when it carries one, the contract diff as lines. */
export interface DescribedUpdate extends UpdateStatus {
  contract?: { digest: string; breakingFrom: string[]; files: Array<{ path: string; format: string; changes: string[] }>; consumers: string[] };
}

/**
 * `eventIds` (default: the session's latest sent) with their delivery states (get-update-status)
 * and contract diffs, changes as `severity where: message` lines. Errors: UNKNOWN_SESSION.
 */
export async function describeUpdates(ctx: AppContext, input: { sessionId: string; eventIds?: string[] }): Promise<{ updates: DescribedUpdate[]; next?: string }> {
  const status = await getUpdateStatus(ctx, input);
  const updates = await Promise.all(status.updates.map(async (u): Promise<DescribedUpdate> => {
    const { contract } = await getUpdate(ctx, { sessionId: input.sessionId, updateId: u.id });
    return { ...u, ...(contract ? { contract: contractLines(contract) } : {}) };
  }));
  return { ...status, updates };
}

function contractLines(c: ContractReport): NonNullable<DescribedUpdate['contract']> {
  return {
    digest: c.digest,
    breakingFrom: c.breakingFrom,
    files: c.files.map((f) => ({
      path: f.path,
      format: f.format ?? 'unknown',
      changes: f.notCompared
        ? [`not compared: ${f.notCompared}`]
        : (f.changes ?? []).filter((x) => !x.repeat).map((x) => `${x.severity} ${x.where}: ${x.message}`),
    })),
    consumers: (c.consumers ?? []).map((x) => `${x.role}: ${x.names.join(', ')}`),
  };
}
