// list_group_sessions: the sessions of a group, live first.
import type { AppContext } from '../context.js';
import { sessionView } from '../sessions.js';
import { requireGroup } from '../validation.js';
import { sortSessions, type SessionView } from '../views.js';

/** Active sessions only unless `includeInactive`. Errors: UNKNOWN_GROUP, TOPOLOGY_INVALID. */
export async function listGroupSessions(ctx: AppContext, input: { projectGroup: string; includeInactive?: boolean }): Promise<{ sessions: SessionView[] }> {
  const group = requireGroup(await ctx.topology.current(), input.projectGroup);
  await ctx.records.refresh();
  const views = [...ctx.state.group(group.name).sessions.values()].map((s) => sessionView(ctx, s));
  return { sessions: sortSessions(input.includeInactive ? views : views.filter((v) => v.status === 'active')) };
}
