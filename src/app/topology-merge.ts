// Three-way merge of topology.yml edited on two machines. First line by line (`git merge-file`,
// which keeps comments and layout); when lines collide, structurally on the parsed YAML (groups
// and keys by name, members by role, rules by content), which merges e.g. two groups added at the
// end of the file on two machines. Either result must validate; otherwise it is a conflict.
import { OrchestratorError } from '../core/errors.js';
import { parse, stringify } from 'yaml';
import { mergeTexts } from '../store/index.js';

export type TopologyMerge =
  | { ok: true; text: string; how: 'lines' | 'structure' }
  | { ok: false; reason: string };

export async function mergeTopology(
  ours: string,
  base: string,
  theirs: string,
  options: { theirsLabel: string; valid: (text: string) => string | null },
): Promise<TopologyMerge> {
  const lines = await mergeTexts(ours, base, theirs, ['ours', 'base', options.theirsLabel]);
  // A clean line merge can still keep one rule twice (added on both machines, with two priorities):
  // then the structural merge decides, which keys rules by when/from/notify.
  if (lines.conflicts === 0 && options.valid(lines.text) === null && !repeatsRule(lines.text)) return { ok: true, text: lines.text, how: 'lines' };
  let merged: unknown;
  try {
    merged = merge3(parse(base) ?? {}, parse(ours) ?? {}, parse(theirs) ?? {}, '');
  } catch (error) {
    if (error instanceof MergeConflict) return { ok: false, reason: `both sides changed ${error.where || 'the file'} differently` };
    return { ok: false, reason: `cannot parse a side: ${(error as Error).message}` };
  }
  const text = stringify(merged);
  const problem = options.valid(text);
  if (problem !== null) return { ok: false, reason: `the merged topology is invalid: ${problem}` };
  return { ok: true, text, how: 'structure' };
}

/** Whether some group lists two communication rules with the same when/from/notify. */
function repeatsRule(text: string): boolean {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return false;
  }
  const groups = isMap(doc) && Array.isArray(doc.groups) ? doc.groups : isMap(doc) && isMap(doc.groups) ? Object.values(doc.groups) : [];
  for (const group of groups) {
    const rules = isMap(group) && Array.isArray(group.communicationRules) ? group.communicationRules : [];
    const seen = new Set<string>();
    for (const rule of rules) {
      if (!isMap(rule)) continue;
      const k = canonical({ when: rule.when, from: rule.from, notify: rule.notify });
      if (seen.has(k)) return true;
      seen.add(k);
    }
  }
  return false;
}

class MergeConflict extends OrchestratorError {
  constructor(readonly where: string) {
    super('MERGE_CONFLICT', `conflict at ${where}`, undefined, { where });
  }
}

type Value = unknown;

function canonical(value: Value): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, Value>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const same = (a: Value, b: Value): boolean => canonical(a) === canonical(b);
const isMap = (v: Value): v is Record<string, Value> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Exported for tests: a pure structural three-way merge; throws MergeConflict. */
export function merge3(base: Value, ours: Value, theirs: Value, where: string): Value {
  if (same(ours, theirs)) return ours;
  if (same(base, ours)) return theirs;
  if (same(base, theirs)) return ours;
  if (isMap(ours) && isMap(theirs)) {
    const b = isMap(base) ? base : {};
    const out: Record<string, Value> = {};
    const keys = [...Object.keys(ours), ...Object.keys(theirs).filter((k) => !(k in ours))];
    for (const key of keys) {
      const value = merge3(b[key], ours[key], theirs[key], where ? `${where}.${key}` : key);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    const b = Array.isArray(base) ? base : [];
    // Members by role; communication rules by what they match (when, from, notify), so the same
    // rule with two priorities is one rule changed on both sides (a conflict), not two rules.
    const key = (item: Value): string =>
      isMap(item) && typeof item.role === 'string'
        ? `role:${item.role}`
        : isMap(item) && 'when' in item
          ? `rule:${canonical({ when: item.when, from: item.from, notify: item.notify })}`
          : canonical(item);
    const index = (list: Value[]) => new Map(list.map((item) => [key(item), item] as const));
    const [bm, om, tm] = [index(b), index(ours), index(theirs)];
    if (bm.size !== b.length || om.size !== ours.length || tm.size !== theirs.length) throw new MergeConflict(where);
    const keys = [...om.keys(), ...[...tm.keys()].filter((k) => !om.has(k))];
    const out: Value[] = [];
    for (const k of keys) {
      const value = merge3(bm.get(k), om.get(k), tm.get(k), `${where}[${k}]`);
      if (value !== undefined) out.push(value);
    }
    return out;
  }
  throw new MergeConflict(where);
}
