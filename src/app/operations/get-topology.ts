// get_topology: groups, members with their dependencies both ways, and the rules.
import { dependentsOf } from '../../core/graph.js';
import type { CommunicationRule } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { requireGroup } from '../validation.js';

export interface TopologyView {
  groups: Array<{
    name: string;
    description: string | null;
    members: Array<{ role: string; path: string; dependsOn: string[]; dependents: string[]; exports: string[] }>;
    communicationRules: Array<Pick<CommunicationRule, 'when' | 'from' | 'notify' | 'priority'>>;
  }>;
}

/** One group, or every group. Errors: UNKNOWN_GROUP, TOPOLOGY_INVALID. */
export async function getTopology(ctx: AppContext, input: { projectGroup?: string }): Promise<TopologyView> {
  const topology = await ctx.topology.current();
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
