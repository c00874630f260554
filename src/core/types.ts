// Shared vocabulary of the pure core. Nothing here knows of git, files or clocks.

export const CHANGE_TYPES = [
  'schema_change',
  'api_endpoint_change',
  'type_definition_change',
  'config_change',
  'dependency_update',
  'breaking_change',
  'any_change',
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'critical'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** `"all"`, `"dependents"` or an explicit list of roles. */
export type NotifyTarget = 'all' | 'dependents' | string[];

export interface Member {
  /** Absolute path, `~` already expanded. */
  path: string;
  role: string;
  dependsOn: string[];
  exports: string[];
  /** Per-member classification overrides (change detection). */
  patterns?: Partial<Record<ChangeType, string[]>>;
}

export interface CommunicationRule {
  when: ChangeType;
  from: '*' | string[];
  notify: NotifyTarget;
  priority: Priority;
  /** Also broadcast uncommitted working-tree changes of this type (off by default). */
  uncommitted?: boolean;
}

export interface Group {
  name: string;
  description?: string;
  members: Member[];
  communicationRules: CommunicationRule[];
}

export interface Topology {
  version: string;
  groups: Record<string, Group>;
}

/** Where a routed update goes: a role, and the dependency chain it travelled. */
export interface RouteTarget {
  role: string;
  /** Roles between the source and this target, source excluded, target excluded. */
  via: string[];
  priority: Priority;
}
