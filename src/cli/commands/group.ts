// group create | list | show | delete
import type { CAC } from 'cac';
import { dependentsOf } from '../../core/graph.js';
import type { CommunicationRule, Group } from '../../core/types.js';
import type { PathContext } from '../../topology/edit.js';
import { DEFAULT_RULES } from '../../topology/example.js';
import { CliError, optionalString, type CliContext } from '../context.js';
import { applyEdit, editing, loadValid, shortSha } from './shared.js';

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('group create <name>', 'Create a group (with the default communication rules)')
    .option('--description <text>', 'What the group is')
    .option('--no-default-rules', 'Start without the default rules (schema_change -> dependents, breaking_change -> all)')
    .example((bin) => `  $ ${bin} group create my-platform --description "My multi-service platform"`)
    .action(async (name: string, options: { description?: unknown; defaultRules?: boolean }) => {
      const description = optionalString(options.description);
      const defaultRules = options.defaultRules !== false;
      const { createGroup } = await editing();
      const result = await applyEdit(ctx, `group create ${name}`, (text) => createGroup(text, name, description, { defaultRules }), name);
      // The rules it starts with are said, not added silently: a later `rule add` of the same
      // rule would otherwise puzzle with "already has that rule".
      const rules = defaultRules ? DEFAULT_RULES.map((r) => ({ ...r })) : [];
      const said = rules.length
        ? ` with ${rules.length} default rules: ${rules.map((r) => describeRule(r)).join('; ')} (--no-default-rules to start without)`
        : ' with no rules';
      ctx.out({ group: name, created: result.changed, commit: result.sha, rules }, `Created group ${name}${said} (${shortSha(result.sha)})`);
    });

  cli.command('group list', 'List the groups').action(async () => {
    const topology = await loadValid(ctx);
    const groups = Object.values(topology.groups).map((g) => ({
      name: g.name,
      description: g.description ?? null,
      members: g.members.length,
      rules: g.communicationRules.length,
    }));
    ctx.out({ groups }, () => {
      if (groups.length === 0) return `No groups yet (create one with: ${ctx.bin} group create <name>)`;
      const width = Math.max(...groups.map((g) => g.name.length));
      return groups
        .map((g) => `${g.name.padEnd(width)}  ${g.members} member${g.members === 1 ? '' : 's'}, ${g.rules} rule${g.rules === 1 ? '' : 's'}${g.description ? `  ${g.description}` : ''}`)
        .join('\n');
    });
  });

  cli.command('group show <name>', 'Show the members of a group, their dependencies, dependents and exports, and its rules').action(async (name: string) => {
    const topology = await loadValid(ctx);
    const group = topology.groups[name];
    if (!group) throw unknownGroup(name, Object.keys(topology.groups), ctx.bin);
    const view = groupView(group, ctx.pathContext(), (await editing()).displayPath);
    ctx.out(view, () => renderGroup(view));
  });

  cli.command('group delete <name>', 'Delete a group and its members from the topology').action(async (name: string) => {
    const { deleteGroup } = await editing();
    const result = await applyEdit(ctx, `group delete ${name}`, (text) => deleteGroup(text, name), name);
    ctx.out({ group: name, deleted: true, commit: result.sha }, `Deleted group ${name} (${shortSha(result.sha)})`);
  });
}

export interface GroupView {
  name: string;
  description: string | null;
  members: Array<{ role: string; path: string; dependsOn: string[]; dependents: string[]; exports: string[] }>;
  communicationRules: CommunicationRule[];
}

export function groupView(group: Group, paths: PathContext, displayPath: (path: string, paths: PathContext) => string): GroupView {
  return {
    name: group.name,
    description: group.description ?? null,
    members: group.members.map((m) => ({
      role: m.role,
      path: displayPath(m.path, paths),
      dependsOn: m.dependsOn,
      dependents: dependentsOf(group, m.role).filter((d) => d.via.length === 0).map((d) => d.role),
      exports: m.exports,
    })),
    communicationRules: group.communicationRules,
  };
}

export function renderGroup(view: GroupView): string {
  const lines = [view.description ? `${view.name}: ${view.description}` : view.name, ''];
  lines.push(view.members.length ? 'Members:' : 'Members: none');
  const width = Math.max(0, ...view.members.map((m) => m.role.length));
  for (const m of view.members) {
    lines.push(`  ${m.role.padEnd(width)}  ${m.path}`);
    const pad = ' '.repeat(width + 4);
    if (m.dependsOn.length) lines.push(`${pad}depends on: ${m.dependsOn.join(', ')}`);
    if (m.dependents.length) lines.push(`${pad}dependents: ${m.dependents.join(', ')}`);
    if (m.exports.length) lines.push(`${pad}exports: ${m.exports.join(', ')}`);
  }
  lines.push('', view.communicationRules.length ? 'Rules:' : 'Rules: none');
  for (const r of view.communicationRules) lines.push(`  ${describeRule(r)}`);
  return lines.join('\n');
}

export function describeRule(rule: { when: string; from: '*' | string[]; notify: 'all' | 'dependents' | string[]; priority?: string; uncommitted?: boolean }): string {
  const from = rule.from === '*' ? 'any role' : rule.from.join(', ');
  const notify = Array.isArray(rule.notify) ? rule.notify.join(', ') : rule.notify;
  return `${rule.when} from ${from} -> ${notify} [${rule.priority ?? 'normal'}]${rule.uncommitted ? ' (also uncommitted)' : ''}`;
}

function unknownGroup(name: string, names: string[], bin: string): CliError {
  return new CliError(
    `group "${name}" does not exist`,
    names.length ? `groups: ${names.join(', ')}` : `create it with: ${bin} group create ${name}`,
  );
}
