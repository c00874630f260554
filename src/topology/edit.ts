// Edits of topology.yml that keep the user's comments, key order and formatting elsewhere.
// Text in, text out: each function parses the text with yaml's Document API, changes only
// what it must, and returns the new text or throws a TopologyEditError saying what to do.
// Longer than 300 lines: one small function per CLI edit (group, member, rule; add and remove),
// all over the same Document helpers kept private here.
import { OrchestratorError } from '../core/errors.js';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { isMap, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { nameProblem } from '../core/names.js';
import { CHANGE_TYPES, PRIORITIES, type ChangeType, type Priority } from '../core/types.js';
import { DEFAULT_RULES } from './example.js';
import { closest } from './problem.js';

export class TopologyEditError extends OrchestratorError {
  constructor(message: string, hint?: string) {
    super('TOPOLOGY_EDIT', message, hint);
  }
}

export interface PathContext {
  /** The user's home directory, shown as `~`. */
  homeDir: string;
  /** Where relative paths given by the user start from. */
  cwd: string;
}

export interface NewMember {
  path: string;
  role: string;
  dependsOn?: string[];
  exports?: string[];
}

export interface NewRule {
  when: string;
  from: '*' | string[];
  notify: 'all' | 'dependents' | string[];
  priority?: string;
  uncommitted?: boolean;
}

/** Absolute, with the home directory written `~` (`~/repos/auth-service`). */
export function displayPath(path: string, ctx: PathContext): string {
  const absolute = absolutePath(path, ctx);
  const home = ctx.homeDir.endsWith(sep) && ctx.homeDir.length > 1 ? ctx.homeDir.slice(0, -1) : ctx.homeDir;
  if (absolute === home) return '~';
  if (absolute.startsWith(home + sep)) return `~/${absolute.slice(home.length + 1)}`;
  return absolute;
}

/** `~` expanded and made absolute against `cwd`. */
export function absolutePath(path: string, ctx: PathContext): string {
  let expanded = path;
  if (path === '~') expanded = ctx.homeDir;
  else if (path.startsWith('~/')) expanded = join(ctx.homeDir, path.slice(2));
  return isAbsolute(expanded) ? resolve(expanded) : resolve(ctx.cwd, expanded);
}

export function createGroup(text: string, name: string, description?: string, options: { defaultRules?: boolean } = {}): string {
  checkName('group name', name);
  const doc = load(text);
  const groups = groupsMap(doc);
  if (groups.has(name)) {
    throw new TopologyEditError(`group ${JSON.stringify(name)} already exists`, `see it with: claude-orchestrator group show ${name}`);
  }
  const value: Record<string, unknown> = { name };
  if (description !== undefined && description !== '') value.description = description;
  value.members = [];
  value.communicationRules = options.defaultRules === false ? [] : DEFAULT_RULES.map((r) => ({ ...r }));
  groups.set(name, doc.createNode(value));
  return render(doc);
}

export function deleteGroup(text: string, name: string): string {
  const doc = load(text);
  const groups = groupsMap(doc);
  if (!groups.has(name)) throw unknownGroup(doc, name);
  groups.delete(name);
  return render(doc);
}

export function addMember(text: string, group: string, member: NewMember, ctx: PathContext): string {
  checkName('role', member.role);
  const doc = load(text);
  const groupNode = groupMap(doc, group);
  const members = seqAt(doc, groupNode, 'members');
  const existing = plainMembers(members);
  const path = displayPath(member.path, ctx);
  const absolute = absolutePath(member.path, ctx);
  const roles = existing.map((m) => m.role);

  const dependsOn = member.dependsOn ?? [];
  for (const dep of dependsOn) {
    if (dep === member.role) throw new TopologyEditError(`${member.role} cannot depend on itself`, 'remove it from --depends-on');
    if (!roles.includes(dep)) throw unknownRole(group, dep, roles, 'add that member first, or fix --depends-on');
  }

  const sameRole = existing.findIndex((m) => m.role === member.role);
  const samePath = existing.findIndex((m) => typeof m.path === 'string' && absolutePath(m.path, ctx) === absolute);
  if (sameRole >= 0 && sameRole === samePath) {
    // Same path and role: idempotent; given lists replace the old ones.
    const node = members.items[sameRole];
    if (isMap(node)) {
      if (member.dependsOn?.length) node.set('dependsOn', flowList(doc, member.dependsOn));
      if (member.exports?.length) node.set('exports', flowList(doc, member.exports));
    }
    return render(doc);
  }
  if (sameRole >= 0) {
    throw new TopologyEditError(
      `role ${JSON.stringify(member.role)} already exists in ${group} (path ${String(existing[sameRole]?.path)})`,
      `roles are unique in a group: remove it first with: claude-orchestrator member remove ${group} ${member.role}`,
    );
  }
  if (samePath >= 0) {
    throw new TopologyEditError(
      `${path} is already in ${group} as ${JSON.stringify(existing[samePath]?.role)}`,
      `remove it first with: claude-orchestrator member remove ${group} ${String(existing[samePath]?.role)}`,
    );
  }
  const node = doc.createNode({ path, role: member.role }) as YAMLMap;
  if (dependsOn.length) node.set('dependsOn', flowList(doc, dependsOn));
  if (member.exports?.length) node.set('exports', flowList(doc, member.exports));
  members.flow = false;
  members.items.push(node);
  return render(doc);
}

export function removeMember(text: string, group: string, pathOrRole: string, ctx: PathContext): string {
  const doc = load(text);
  const groupNode = groupMap(doc, group);
  const members = seqAt(doc, groupNode, 'members');
  const existing = plainMembers(members);
  let index = existing.findIndex((m) => m.role === pathOrRole);
  if (index < 0) {
    const absolute = absolutePath(pathOrRole, ctx);
    index = existing.findIndex((m) => typeof m.path === 'string' && absolutePath(m.path, ctx) === absolute);
  }
  const target = existing[index];
  if (!target) {
    const list = existing.map((m) => `${m.role} (${String(m.path)})`).join(', ');
    throw new TopologyEditError(
      `${group} has no member with role or path ${JSON.stringify(pathOrRole)}`,
      list ? `members of ${group}: ${list}` : `${group} has no members`,
    );
  }
  const role = target.role;
  const dependents = existing.filter((m) => m !== target && Array.isArray(m.dependsOn) && m.dependsOn.includes(role)).map((m) => m.role);
  if (dependents.length) {
    throw new TopologyEditError(
      `${dependents.join(', ')} ${dependents.length > 1 ? 'depend' : 'depends'} on ${role}`,
      `remove ${dependents.length > 1 ? 'them' : 'it'} first, or drop ${role} from dependsOn in the topology file`,
    );
  }
  const rules = plainRules(groupNode);
  const inRules = rules.findIndex((r) => listed(r.from, role) || listed(r.notify, role));
  if (inRules >= 0) {
    throw new TopologyEditError(
      `communicationRules[${inRules}] of ${group} names ${role}`,
      `edit that rule in the topology file first (claude-orchestrator config-path shows where it is)`,
    );
  }
  members.items.splice(index, 1);
  return render(doc);
}

export function addRule(text: string, group: string, rule: NewRule): string {
  if (!(CHANGE_TYPES as readonly string[]).includes(rule.when)) {
    const close = closest(rule.when, CHANGE_TYPES);
    throw new TopologyEditError(`unknown change type ${JSON.stringify(rule.when)}`, `${close ? `did you mean ${close}? ` : ''}change types: ${CHANGE_TYPES.join(', ')}`);
  }
  const priority = rule.priority ?? 'normal';
  if (!(PRIORITIES as readonly string[]).includes(priority)) {
    throw new TopologyEditError(`unknown priority ${JSON.stringify(priority)}`, `priorities: ${PRIORITIES.join(', ')}`);
  }
  const doc = load(text);
  const groupNode = groupMap(doc, group);
  const roles = plainMembers(seqAt(doc, groupNode, 'members')).map((m) => m.role);
  for (const role of [...(rule.from === '*' ? [] : rule.from), ...(Array.isArray(rule.notify) ? rule.notify : [])]) {
    if (!roles.includes(role)) throw unknownRole(group, role, roles, 'add that member first');
  }
  if (Array.isArray(rule.from) && rule.from.length === 0) throw new TopologyEditError('--from names no role', 'give "*" or a comma-separated list of roles');
  if (Array.isArray(rule.notify) && rule.notify.length === 0) throw new TopologyEditError('--notify names no role', 'give all, dependents or a comma-separated list of roles');

  const value: Record<string, unknown> = {
    when: rule.when as ChangeType,
    from: rule.from === '*' ? '*' : flowList(doc, rule.from),
    notify: Array.isArray(rule.notify) ? flowList(doc, rule.notify) : rule.notify,
    priority: priority as Priority,
  };
  if (rule.uncommitted !== undefined) value.uncommitted = rule.uncommitted;

  const rules = seqAt(doc, groupNode, 'communicationRules');
  const existing = plainRules(groupNode);
  // A rule with the same when/from/notify is replaced: priority and uncommitted are its settings.
  const same = existing.findIndex(
    (r) => r.when === rule.when && sameTargets(r.from, rule.from) && sameTargets(r.notify, rule.notify),
  );
  const node = doc.createNode(value);
  if (same >= 0) rules.items[same] = node;
  else {
    rules.flow = false;
    rules.items.push(node);
  }
  return render(doc);
}

/**
 * Removes the group's rules for `when`, narrowed to those whose from and notify equal the given
 * ones when given. Removing nothing is an error that lists the group's rules for that type.
 */
export function removeRule(text: string, group: string, match: { when: string; from?: '*' | string[]; notify?: NewRule['notify'] }): string {
  const doc = load(text);
  const groupNode = groupMap(doc, group);
  const existing = plainRules(groupNode);
  const doomed = existing
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.when === match.when && (match.from === undefined || sameTargets(r.from, match.from)) && (match.notify === undefined || sameTargets(r.notify, match.notify)));
  if (doomed.length === 0) {
    const forType = existing.filter((r) => r.when === match.when);
    throw new TopologyEditError(
      `${group} has no such ${match.when} rule`,
      forType.length ? `its ${match.when} rules: ${forType.map((r) => `from ${JSON.stringify(r.from)} notify ${JSON.stringify(r.notify)}`).join('; ')}` : `it has no ${match.when} rule at all`,
    );
  }
  const rules = seqAt(doc, groupNode, 'communicationRules');
  for (const { i } of doomed.reverse()) rules.items.splice(i, 1);
  return render(doc);
}

// ---- helpers ----

function render(doc: Document): string {
  return doc.toString({ flowCollectionPadding: false });
}

interface PlainMember {
  path?: unknown;
  role: string;
  dependsOn?: unknown;
}
interface PlainRule {
  when?: unknown;
  from?: unknown;
  notify?: unknown;
}

function load(text: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new TopologyEditError(
      `the topology file is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`,
      'fix it first (claude-orchestrator validate lists every problem)',
    );
  }
  if (!isMap(doc.contents)) {
    if (doc.contents === null || doc.contents === undefined) {
      doc.contents = doc.createNode({ version: '1.0', groups: {} }) as unknown as typeof doc.contents;
    } else {
      throw new TopologyEditError('the topology file is not a mapping', 'it must start with version: "1.0" and groups:');
    }
  }
  return doc;
}

function groupsMap(doc: Document): YAMLMap {
  const root = doc.contents as YAMLMap;
  let groups: unknown = root.get('groups', true);
  if (groups === undefined || groups === null || (!isMap(groups) && isNullScalar(groups))) {
    groups = doc.createNode({});
    root.set('groups', groups);
  }
  if (!isMap(groups)) throw new TopologyEditError('groups is not a mapping', 'fix it in the topology file first');
  // `groups: {}` is a flow mapping: new groups are written in block style.
  groups.flow = false;
  return groups;
}

function groupMap(doc: Document, name: string): YAMLMap {
  const groups = groupsMap(doc);
  const group = groups.get(name, true);
  if (group === undefined) throw unknownGroup(doc, name);
  if (!isMap(group)) throw new TopologyEditError(`group ${name} is not a mapping`, 'fix it in the topology file first');
  return group;
}

function seqAt(doc: Document, map: YAMLMap, key: string): YAMLSeq {
  let seq: unknown = map.get(key, true);
  if (seq === undefined || isNullScalar(seq)) {
    seq = doc.createNode([]);
    map.set(key, seq);
  }
  if (!isSeq(seq)) throw new TopologyEditError(`${key} is not a list`, 'fix it in the topology file first');
  return seq;
}

function isNullScalar(node: unknown): boolean {
  return node === null || (typeof node === 'object' && node !== null && 'value' in node && (node as { value: unknown }).value === null);
}

function plainMembers(members: YAMLSeq): PlainMember[] {
  return members.items.map((item) => {
    const value = isMap(item) ? (item.toJSON() as Record<string, unknown>) : {};
    return { ...value, role: typeof value.role === 'string' ? value.role : '' };
  });
}

function plainRules(groupNode: YAMLMap): PlainRule[] {
  const rules = groupNode.get('communicationRules', true);
  if (!isSeq(rules)) return [];
  return rules.items.map((item) => (isMap(item) ? (item.toJSON() as PlainRule) : {}));
}

function listed(value: unknown, role: string): boolean {
  return value === role || (Array.isArray(value) && value.includes(role));
}

function sameTargets(a: unknown, b: unknown): boolean {
  // A list is compared as a set; a single role string equals a one-role list.
  const norm = (v: unknown) => (Array.isArray(v) ? [...v].map(String).sort().join(',') : typeof v === 'string' ? v : '');
  return norm(a) === norm(b);
}

function flowList(doc: Document, values: readonly string[]): YAMLSeq {
  const seq = doc.createNode([...values]) as YAMLSeq;
  seq.flow = true;
  return seq;
}

function checkName(what: string, name: string): void {
  const problem = nameProblem(name);
  if (problem) {
    throw new TopologyEditError(`${what} ${JSON.stringify(name)} ${problem}`, `${what}s become git ref names: try ${JSON.stringify(suggestName(name))}`);
  }
}

function suggestName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/\.{2,}/g, '.').replace(/^[^A-Za-z0-9]+/, '').replace(/(\.lock|\.)+$/, '').slice(0, 64);
  return cleaned || 'my-group';
}

function unknownGroup(doc: Document, name: string): TopologyEditError {
  const groups = doc.getIn(['groups']);
  const names = isMap(groups) ? groups.items.map((p) => String((p.key as { value?: unknown })?.value ?? p.key)) : [];
  const close = closest(name, names);
  return new TopologyEditError(
    `group ${JSON.stringify(name)} does not exist`,
    close ? `did you mean ${close}?` : names.length ? `groups: ${names.join(', ')}` : `create it with: claude-orchestrator group create ${name}`,
  );
}

function unknownRole(group: string, role: string, roles: readonly string[], advice: string): TopologyEditError {
  const close = closest(role, roles);
  const list = roles.length ? `roles in ${group}: ${roles.join(', ')}` : `${group} has no members yet`;
  return new TopologyEditError(`unknown role ${JSON.stringify(role)} in ${group}`, `${close ? `did you mean ${close}? ` : ''}${list}; ${advice}`);
}
