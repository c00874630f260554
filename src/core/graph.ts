// The dependency graph of a group: who depends on whom, transitively.
import type { Group, Member, Topology } from './types.js';

/** A role reached through the graph, with the roles in between (both ends excluded). */
export interface Reached {
  role: string;
  via: string[];
}

export function rolesOf(group: Group): string[] {
  return group.members.map((m) => m.role);
}

export function memberByRole(group: Group, role: string): Member | undefined {
  return group.members.find((m) => m.role === role);
}

/** Roles of `roles` that no member of the group has, in the order given. */
export function unknownRoles(group: Group, roles: readonly string[]): string[] {
  const known = new Set(rolesOf(group));
  return roles.filter((r) => !known.has(r));
}

/** Everyone downstream of `role`: direct dependents first, each once, with its shortest chain. */
export function dependentsOf(group: Group, role: string): Reached[] {
  // Reverse edges: role -> members that list it in dependsOn.
  const dependents = new Map<string, string[]>();
  for (const m of group.members) {
    for (const dep of m.dependsOn) {
      const list = dependents.get(dep) ?? [];
      list.push(m.role);
      dependents.set(dep, list);
    }
  }
  return breadthFirst(role, (r) => dependents.get(r) ?? []);
}

/** Everyone upstream of `role` (what it depends on, transitively), nearest first. */
export function dependenciesOf(group: Group, role: string): Reached[] {
  const known = new Set(rolesOf(group));
  return breadthFirst(role, (r) => (memberByRole(group, r)?.dependsOn ?? []).filter((d) => known.has(d)));
}

function breadthFirst(start: string, next: (role: string) => readonly string[]): Reached[] {
  const seen = new Set([start]);
  const out: Reached[] = [];
  let frontier: Reached[] = [{ role: start, via: [] }];
  let first = true;
  while (frontier.length > 0) {
    const following: Reached[] = [];
    for (const from of frontier) {
      // The start itself is not part of anyone's via chain.
      const chain = first ? [] : [...from.via, from.role];
      for (const role of next(from.role)) {
        if (seen.has(role)) continue;
        seen.add(role);
        const reached = { role, via: chain };
        out.push(reached);
        following.push(reached);
      }
    }
    frontier = following;
    first = false;
  }
  return out;
}

/**
 * A dependency cycle as the roles along it, first role repeated at the end
 * (`['a', 'b', 'a']` when a depends on b and b on a), or null when there is none.
 * Dependencies on roles outside the group are ignored here; validation reports them.
 */
export function findCycle(group: Group): string[] | null {
  const known = new Set(rolesOf(group));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];

  const visit = (role: string): string[] | null => {
    state.set(role, 'visiting');
    path.push(role);
    for (const dep of memberByRole(group, role)?.dependsOn ?? []) {
      if (!known.has(dep)) continue;
      const s = state.get(dep);
      if (s === 'visiting') return [...path.slice(path.indexOf(dep)), dep];
      if (s === undefined) {
        const cycle = visit(dep);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(role, 'done');
    return null;
  };

  for (const role of known) {
    if (state.has(role)) continue;
    const cycle = visit(role);
    if (cycle) return cycle;
  }
  return null;
}

export interface MemberLocation {
  groupName: string;
  group: Group;
  member: Member;
}

/**
 * Members whose repo contains `path` (the path itself or a file below it), most specific
 * first, so a repo nested inside another resolves to the inner one. A repo may belong to
 * several groups; all are returned.
 */
export function membersForPath(topology: Topology, path: string): MemberLocation[] {
  const target = normalizePath(path);
  const found: Array<MemberLocation & { depth: number }> = [];
  for (const [groupName, group] of Object.entries(topology.groups)) {
    for (const member of group.members) {
      const root = normalizePath(member.path);
      if (target === root || target.startsWith(root === '/' ? '/' : `${root}/`)) {
        found.push({ groupName, group, member, depth: root.length });
      }
    }
  }
  // Stable sort: equally specific matches keep topology order.
  found.sort((a, b) => b.depth - a.depth);
  return found.map(({ groupName, group, member }) => ({ groupName, group, member }));
}

/** The most specific member containing `path`, or null. */
export function memberForPath(topology: Topology, path: string): MemberLocation | null {
  return membersForPath(topology, path)[0] ?? null;
}

/** Forward slashes, no trailing slash, no `.` segments: paths compare as strings. */
function normalizePath(path: string): string {
  const parts = path.replace(/\\/g, '/').split('/');
  const kept = parts.filter((p, i) => p !== '.' && (p !== '' || i === 0));
  const joined = kept.join('/');
  return joined === '' ? '/' : joined;
}
