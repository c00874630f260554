// Where a change goes: communication rules first, the default policy when none applies.
import { dependentsOf, memberByRole, rolesOf } from './graph.js';
import { PRIORITIES } from './types.js';
import type { ChangeType, CommunicationRule, Group, NotifyTarget, Priority, RouteTarget } from './types.js';

export interface RouteRequest {
  fromRole: string;
  types: readonly ChangeType[];
  /** Explicit audience: overrides the rules entirely. */
  notify?: NotifyTarget;
  /** Explicit priority: overrides the rules' priorities. */
  priority?: Priority;
  /** A working-tree (not committed) change: only rules with `uncommitted: true` send it. */
  uncommitted?: boolean;
}

export interface Route {
  targets: RouteTarget[];
  priority: Priority;
}

/**
 * What happens to a committed change that no communication rule matches.
 * - Any change goes to the sender's transitive dependents, at normal priority: they are the
 *   ones whose code can break, and nobody else needs the noise.
 * - A breaking change goes to every other member, at critical priority: breaking is too
 *   important to depend on someone having written a rule for it.
 * The breaking default applies whenever no rule matches `breaking_change` (a rule with
 * `when: any_change` does match it), even if other rules matched the rest of the change.
 * The general default applies only when no rule matched any of the change's types, so a
 * narrow rule is not widened by it. Uncommitted changes have no default: they are sent only
 * where a rule opts in.
 */
export const DEFAULT_ROUTING_POLICY = {
  unmatched: { notify: 'dependents', priority: 'normal' },
  unmatchedBreaking: { notify: 'all', priority: 'critical' },
} as const satisfies Record<string, { notify: NotifyTarget; priority: Priority }>;

export function ruleMatches(rule: CommunicationRule, type: ChangeType, fromRole: string, uncommitted: boolean): boolean {
  if (uncommitted && rule.uncommitted !== true) return false;
  if (rule.when !== type && rule.when !== 'any_change') return false;
  return rule.from === '*' || rule.from.includes(fromRole);
}

export function route(group: Group, request: RouteRequest): Route {
  const { fromRole, types, notify, priority } = request;
  const uncommitted = request.uncommitted === true;

  if (notify !== undefined) {
    const p = priority ?? 'normal';
    return { targets: new Audience(group, fromRole).add(notify, p).targets(), priority: p };
  }

  // Each matched rule contributes its audience at its own priority.
  const sends: Array<{ notify: NotifyTarget; priority: Priority }> = [];
  const matched = new Set<CommunicationRule>();
  let breakingMatched = false;
  for (const type of types) {
    for (const rule of group.communicationRules) {
      if (!ruleMatches(rule, type, fromRole, uncommitted)) continue;
      if (type === 'breaking_change') breakingMatched = true;
      if (!matched.has(rule)) sends.push(rule);
      matched.add(rule);
    }
  }
  if (!uncommitted) {
    if (types.includes('breaking_change') && !breakingMatched) sends.push(DEFAULT_ROUTING_POLICY.unmatchedBreaking);
    if (sends.length === 0) sends.push(DEFAULT_ROUTING_POLICY.unmatched);
  }

  const audience = new Audience(group, fromRole);
  for (const send of sends) audience.add(send.notify, priority ?? send.priority);
  const overall = priority ?? (sends.length ? highestPriority(sends.map((s) => s.priority)) : 'normal');
  return { targets: audience.targets(), priority: overall };
}

export function highestPriority(priorities: readonly Priority[]): Priority {
  let best = 0;
  for (const p of priorities) best = Math.max(best, PRIORITIES.indexOf(p));
  return PRIORITIES[best] ?? 'normal';
}

/** Union of audiences: each role once, shortest via chain, highest priority that reached it. */
class Audience {
  private readonly byRole = new Map<string, RouteTarget>();
  constructor(private readonly group: Group, private readonly fromRole: string) {}

  add(notify: NotifyTarget, priority: Priority): this {
    if (notify === 'all') {
      for (const role of rolesOf(this.group)) if (role !== this.fromRole) this.put(role, [], priority);
    } else if (notify === 'dependents') {
      for (const { role, via } of dependentsOf(this.group, this.fromRole)) if (role !== this.fromRole) this.put(role, via, priority);
    } else {
      // Listing one's own role is allowed: other sessions of that role get it.
      for (const role of notify) if (memberByRole(this.group, role)) this.put(role, [], priority);
    }
    return this;
  }

  /** Targets in the group's member order, so results don't depend on rule order. */
  targets(): RouteTarget[] {
    const out: RouteTarget[] = [];
    for (const role of rolesOf(this.group)) {
      const t = this.byRole.get(role);
      if (t) out.push(t);
    }
    return out;
  }

  private put(role: string, via: string[], priority: Priority): void {
    const old = this.byRole.get(role);
    if (!old) {
      this.byRole.set(role, { role, via, priority });
      return;
    }
    this.byRole.set(role, {
      role,
      via: via.length < old.via.length ? via : old.via,
      priority: highestPriority([old.priority, priority]),
    });
  }
}
