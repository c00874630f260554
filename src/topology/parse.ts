// topology.yml text in, a validated Topology and every problem out (with line and column).
// Pure: the file system checks are injected, nothing here reads a file or runs git.
// Longer than 300 lines: one pass over the YAML document with every semantic check located at its
// line and column; the checks share that walk's position bookkeeping.
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { ZodType } from 'zod';
import type { core } from 'zod';
import { findCycle } from '../core/graph.js';
import { nameProblem } from '../core/names.js';
import { CHANGE_TYPES, PRIORITIES, type CommunicationRule, type Group, type Member, type Priority, type Topology } from '../core/types.js';
import { closest, formatPath, MAX_TOPOLOGY_CHARS, TOPOLOGY_READ_BYTES, type PathSegment, type Problem } from './problem.js';
import { TOPOLOGY_VERSION, groupSchema, memberSchema, ruleSchema, topologySchema, type RawGroup, type RawMember, type RawRule } from './schema.js';

export interface ParseOptions {
  /** Expands `~` (and anything else the caller wants) in member paths. */
  expandPath: (path: string) => string;
  /** A missing member path is a warning, not an error: a topology may be written before cloning. */
  pathExists?: (path: string) => boolean;
  isGitRepo?: (path: string) => boolean;
}

export interface ParseResult {
  /** Null when there is any error. */
  topology: Topology | null;
  errors: Problem[];
  warnings: Problem[];
}

export { closest, formatPath, formatProblem, type PathSegment, type Problem } from './problem.js';

const KNOWN_KEYS = [
  'version', 'groups', 'name', 'description', 'members', 'communicationRules',
  'path', 'role', 'dependsOn', 'exports', 'patterns', 'when', 'from', 'notify', 'priority', 'uncommitted',
];

// The largest topology accepted, in characters, is refused before parsing (a hundred groups fit in a tenth of it).
export { MAX_TOPOLOGY_CHARS, TOPOLOGY_READ_BYTES } from './problem.js';

export function parseTopology(text: string, options: ParseOptions): ParseResult {
  if (text.length > MAX_TOPOLOGY_CHARS) {
    return {
      topology: null,
      errors: [{ where: '', message: `the topology has over ${MAX_TOPOLOGY_CHARS} characters (${text.length >= TOPOLOGY_READ_BYTES ? 'at least ' : ''}${text.length} read); at most ${MAX_TOPOLOGY_CHARS} are accepted`, hint: 'a topology lists groups, members and rules: remove what was pasted into it' }],
      warnings: [],
    };
  }
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });

  const position = (offset: number | undefined): { line?: number; column?: number } => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const problemAt = (path: readonly PathSegment[], message: string, hint?: string, onKey = false): Problem => ({
    where: formatPath(path),
    message,
    ...(hint ? { hint } : {}),
    ...position(offsetOf(doc, path, onKey)),
  });
  const error = (path: readonly PathSegment[], message: string, hint?: string, onKey = false) => {
    errors.push(problemAt(path, message, hint, onKey));
  };
  const warn = (path: readonly PathSegment[], message: string, hint?: string, onKey = false) => {
    warnings.push(problemAt(path, message, hint, onKey));
  };
  const lineOf = (path: readonly PathSegment[]) => position(offsetOf(doc, path)).line;

  for (const e of doc.errors) {
    const message = firstLine(e.message);
    const hint = /alias/i.test(message) ? 'a value starting with * must be quoted, as in from: "*"' : 'fix the YAML syntax';
    errors.push({ where: '', message, hint, ...position(e.pos[0]) });
  }
  for (const w of doc.warnings) {
    warnings.push({ where: '', message: firstLine(w.message), ...position(w.pos[0]) });
  }
  if (errors.length > 0) return { topology: null, errors, warnings };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    errors.push({ where: '', message: (e as Error).message, line: 1, column: 1 });
    return { topology: null, errors, warnings };
  }
  if (data === null || data === undefined) {
    error([], 'the file is empty', `write at least: version: "${TOPOLOGY_VERSION}" and groups: {}`);
    return { topology: null, errors, warnings };
  }

  const top = check(topologySchema, data, [], { error, warn, lineOf, data });
  if (!top) return { topology: null, errors, warnings };

  if (top.version === 1) {
    warn(['version'], `write the version as a string: "${TOPOLOGY_VERSION}"`, 'unquoted, 1.0 is read as the number 1');
  } else if (top.version !== TOPOLOGY_VERSION) {
    error(['version'], `unsupported version ${JSON.stringify(top.version)}`, `this release reads version "${TOPOLOGY_VERSION}"; upgrade claude-orchestrator-mcp`);
  }

  const groups: Record<string, Group> = {};
  for (const [key, value] of Object.entries(top.groups ?? {})) {
    const base: PathSegment[] = ['groups', key];
    const keyProblem = nameProblem(key);
    if (keyProblem) error(base, `group name ${JSON.stringify(key)} ${keyProblem}`, 'group names become git ref names', true);
    const raw = check(groupSchema, value ?? {}, base, { error, warn, lineOf, data });
    if (!raw) continue;
    if (raw.name !== undefined && raw.name !== key) {
      error([...base, 'name'], `name ${JSON.stringify(raw.name)} differs from its key ${JSON.stringify(key)}`, `make them the same, or remove name`);
    }
    const group = checkGroup(key, raw, base, options, { error, warn, lineOf, data });
    groups[key] = group;
  }

  sortByPosition(errors);
  sortByPosition(warnings);
  if (errors.length > 0) return { topology: null, errors, warnings };
  return { topology: { version: TOPOLOGY_VERSION, groups }, errors, warnings };
}

function sortByPosition(problems: Problem[]): void {
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

interface Reporters {
  error: (path: readonly PathSegment[], message: string, hint?: string, onKey?: boolean) => void;
  warn: (path: readonly PathSegment[], message: string, hint?: string, onKey?: boolean) => void;
  /** The 1-based line of the node at `path`, when the document has it. */
  lineOf: (path: readonly PathSegment[]) => number | undefined;
}

function checkGroup(name: string, raw: RawGroup, base: PathSegment[], options: ParseOptions, reporters: Reporters & { data: unknown }): Group {
  const { error, warn } = reporters;
  // Each member and rule on its own: the valid ones are still checked when a sibling is broken.
  const rawMembers: Array<[number, RawMember]> = [];
  (raw.members ?? []).forEach((value, i) => {
    const m = check(memberSchema, value, [...base, 'members', i], reporters);
    if (m) rawMembers.push([i, m]);
  });
  const rawRules: Array<[number, RawRule]> = [];
  (raw.communicationRules ?? []).forEach((value, i) => {
    const r = check(ruleSchema, value, [...base, 'communicationRules', i], reporters);
    if (r) rawRules.push([i, r]);
  });
  const roles = (raw.members ?? []).flatMap((m) => {
    const role = (m as { role?: unknown } | null)?.role;
    return typeof role === 'string' ? [role] : [];
  });
  const known = new Set(roles);
  const rolesHint = roles.length ? `roles in ${name}: ${roles.join(', ')}` : `${name} has no members yet`;
  const checkRole = (path: PathSegment[], role: string) => {
    if (known.has(role)) return;
    const close = closest(role, roles);
    error(path, `unknown role ${JSON.stringify(role)}`, close ? `did you mean ${JSON.stringify(close)}? ${rolesHint}` : rolesHint);
  };

  // References are checked on the raw items, so a member or rule with another problem still
  // gets its unknown roles reported.
  const strings = (value: unknown): Array<[number, string]> =>
    Array.isArray(value) ? value.flatMap((v, j): Array<[number, string]> => (typeof v === 'string' ? [[j, v]] : [])) : [];
  (raw.members ?? []).forEach((item, i) => {
    const dependsOn = (item as { dependsOn?: unknown } | null)?.dependsOn;
    for (const [j, dep] of strings(dependsOn)) checkRole([...base, 'members', i, 'dependsOn', j], dep);
  });
  (raw.communicationRules ?? []).forEach((item, i) => {
    const at: PathSegment[] = [...base, 'communicationRules', i];
    const { from, notify } = (item ?? {}) as { from?: unknown; notify?: unknown };
    if (typeof from === 'string' && from !== '*') checkRole([...at, 'from'], from);
    for (const [j, role] of strings(from)) checkRole([...at, 'from', j], role);
    for (const [j, role] of strings(notify)) checkRole([...at, 'notify', j], role);
  });

  const members: Member[] = [];
  /** Index in the file of each entry of `members` (invalid members are left out of `members`). */
  const fileIndex: number[] = [];
  const firstByRole = new Map<string, number>();
  const firstByPath = new Map<string, number>();
  for (const [i, m] of rawMembers) {
    const at: PathSegment[] = [...base, 'members', i];
    const roleProblem = nameProblem(m.role);
    if (roleProblem) error([...at, 'role'], `role ${JSON.stringify(m.role)} ${roleProblem}`, 'roles become git ref names');
    const earlier = firstByRole.get(m.role);
    if (earlier !== undefined) {
      error([...at, 'role'], `role ${JSON.stringify(m.role)} is already used by members[${earlier}]`, 'roles must be unique within a group');
    } else firstByRole.set(m.role, i);

    const expanded = options.expandPath(m.path);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(m.path)) {
      error([...at, 'path'], `path ${JSON.stringify(m.path)} holds a control character (a newline?)`, 'write the path on one line, without control characters');
    } else if (!isAbsolute(expanded)) {
      error([...at, 'path'], `path ${JSON.stringify(m.path)} is relative`, 'write an absolute path or one starting with ~/');
    } else {
      const samePath = firstByPath.get(expanded);
      if (samePath !== undefined) warn([...at, 'path'], `path is also the path of members[${samePath}]`, 'changes there will be attributed to the first role');
      else firstByPath.set(expanded, i);
      if (options.pathExists && !options.pathExists(expanded)) {
        warn([...at, 'path'], `${expanded} does not exist`, 'clone the repository there or fix the path');
      } else if (options.isGitRepo && !options.isGitRepo(expanded)) {
        warn([...at, 'path'], `${expanded} is not a git repository`, 'commits there cannot be detected');
      }
    }

    const dependsOn = m.dependsOn ?? [];
    const member: Member = { path: expanded, role: m.role, dependsOn: [...dependsOn], exports: [...(m.exports ?? [])] };
    if (m.patterns) member.patterns = m.patterns;
    members.push(member);
    fileIndex.push(i);
  }

  // The same rule (when, from, notify) twice: both apply, the higher priority wins, and an edit
  // of one leaves the other in force (two machines' edits merged keep both). Name which to keep.
  const firstRule = new Map<string, { index: number; priority: Priority }>();
  for (const [i, r] of rawRules) {
    const from = r.from === '*' ? '*' : [...new Set(typeof r.from === 'string' ? [r.from] : r.from)].sort().join(',');
    const notify = typeof r.notify === 'string' ? r.notify : [...new Set(r.notify)].sort().join(',');
    const key = JSON.stringify([r.when, from, notify]);
    const priority = r.priority ?? 'normal';
    const earlier = firstRule.get(key);
    if (!earlier) {
      firstRule.set(key, { index: i, priority });
      continue;
    }
    const line = reporters.lineOf([...base, 'communicationRules', earlier.index]);
    const there = `communicationRules[${earlier.index}]${line !== undefined ? ` (line ${line})` : ''}`;
    const same = `when ${r.when}, from ${from === '*' ? '*' : `[${from}]`}, notify ${typeof r.notify === 'string' ? notify : `[${notify}]`}`;
    const thisHigher = PRIORITIES.indexOf(priority) > PRIORITIES.indexOf(earlier.priority);
    const hint = priority === earlier.priority
      ? `delete this one and keep ${there}`
      : `keep the one whose priority you mean and delete the other; today the higher applies: ${thisHigher ? `${priority} (this one)` : `${earlier.priority} (${there})`}`;
    reporters.error([...base, 'communicationRules', i], `the same rule as ${there}: ${same}${priority === earlier.priority ? '' : ` (priority ${priority} here, ${earlier.priority} there)`}`, hint);
  }

  const communicationRules: CommunicationRule[] = [];
  for (const [, r] of rawRules) {
    let from: '*' | string[];
    if (r.from === '*') from = '*';
    else if (typeof r.from === 'string') {
      from = [r.from];
    } else {
      from = r.from;
    }
    const rule: CommunicationRule = { when: r.when, from, notify: r.notify, priority: r.priority ?? 'normal' };
    if (r.uncommitted !== undefined) rule.uncommitted = r.uncommitted;
    communicationRules.push(rule);
  }

  const group: Group = { name, members, communicationRules };
  if (raw.description !== undefined) group.description = raw.description;

  const cycle = findCycle(group);
  if (cycle && cycle.length >= 2) {
    const [first, next] = cycle as [string, string];
    const i = members.findIndex((m) => m.role === first);
    const j = members[i]?.dependsOn.indexOf(next) ?? -1;
    const k = fileIndex[i];
    error(
      k !== undefined && j >= 0 ? [...base, 'members', k, 'dependsOn', j] : [...base, 'members'],
      `dependency cycle: ${cycle.join(' -> ')}`,
      'a role cannot depend on itself, directly or through others',
    );
  }
  return group;
}

/**
 * Validates `value` against `schema`. Unknown keys are warnings (and dropped), except inside
 * `patterns` whose keys are change types; everything else is an error.
 */
function check<T>(
  schema: ZodType<T>,
  value: unknown,
  base: PathSegment[],
  { error, warn, data }: Reporters & { data: unknown },
): T | null {
  let current = structuredClone(value);
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = schema.safeParse(current);
    if (result.success) return result.data;
    const unknownKeys = result.error.issues.filter(
      (i): i is core.$ZodIssueUnrecognizedKeys => i.code === 'unrecognized_keys' && !i.path.includes('patterns'),
    );
    const others = result.error.issues.filter((i) => !unknownKeys.includes(i as core.$ZodIssueUnrecognizedKeys));
    if (others.length > 0) {
      for (const issue of others) {
        const path = [...base, ...(issue.path as PathSegment[])];
        const { message, hint } = describeIssue(issue, getAt(data, path), path);
        // Unrecognized keys point at the key itself.
        if (issue.code === 'unrecognized_keys') {
          for (const key of issue.keys) error([...path, key], `${JSON.stringify(key)} is not a change type`, `change types: ${CHANGE_TYPES.join(', ')}`, true);
        } else error(path, message, hint);
      }
      return null;
    }
    for (const issue of unknownKeys) {
      const path = issue.path as PathSegment[];
      for (const key of issue.keys) {
        const close = closest(key, KNOWN_KEYS);
        warn([...base, ...path, key], `unknown key ${JSON.stringify(key)} is ignored`, close ? `did you mean ${JSON.stringify(close)}?` : undefined, true);
        const holder = getAt(current, path);
        if (holder && typeof holder === 'object') delete (holder as Record<string, unknown>)[key];
      }
    }
  }
  return null;
}

function describeIssue(issue: core.$ZodIssue, actual: unknown, path: readonly PathSegment[]): { message: string; hint?: string } {
  const last = path[path.length - 1];
  if (actual === undefined && issue.code === 'invalid_type') return { message: 'is missing' };
  switch (last) {
    case 'when':
      return { message: `unknown change type ${JSON.stringify(actual)}`, hint: `change types: ${CHANGE_TYPES.join(', ')}` };
    case 'priority':
      return { message: `unknown priority ${JSON.stringify(actual)}`, hint: `priorities: ${PRIORITIES.join(', ')}` };
    case 'from':
      return { message: `must be "*", a role or a list of roles`, hint: 'quote the star: from: "*"' };
    case 'notify':
      return { message: `must be "all", "dependents" or a list of roles` };
  }
  if (issue.code === 'invalid_type') {
    return { message: `expected ${article(issue.expected)}, found ${describeValue(actual)}` };
  }
  return { message: issue.message };
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object' || expected === 'record') return 'a mapping';
  return `a ${expected}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function getAt(value: unknown, path: readonly PathSegment[]): unknown {
  let node = value;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

/** Offset of the node at `path` (or of its key), else of the nearest ancestor that exists. */
export function offsetOf(doc: Document, path: readonly PathSegment[], onKey = false): number | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const lastSeg = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg));
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      if (lastSeg && onKey) return keyStart ?? best;
      node = pair.value;
      best = rangeStart(node) ?? keyStart ?? best;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      node = item;
      best = rangeStart(node) ?? best;
    } else break;
  }
  return best;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path);
}
