// get_update and `log --show`: one update in full, with its contract diff.
import type { ChangeEvent, ContractReport } from '../../core/records.js';
import type { RouteTarget } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { UserError } from '../errors.js';
import { requireSession } from '../sessions.js';
import { updateView, type UpdateView } from '../views.js';

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
  let event: ChangeEvent | undefined;
  for (const name of groups) {
    event = ctx.state.group(name).eventsById.get(input.updateId);
    if (event) break;
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
