// Prisma schema: read by a small line parser of ours, compared by us. Rules in
// docs/change-detection.md ("Contract diffs", Prisma), after the warnings `prisma migrate`
// gives for the same changes. @mrleebo/prisma-ast was tried and left out: on import it
// searches the working directory and its parents for a `prisma-ast` config and `require`s a
// `.js` one, which would run code from a repository; it also takes ~430 ms to load.
import type { ContractChange, FormatComparer, Severity } from '../types.js';

interface Field { name: string; type: string; optional: boolean; array: boolean; hasDefault: boolean }
interface Block { kind: string; name: string; fields: Map<string, Field>; values: Set<string> }

const BLOCK_START = /^(model|view|type|enum|datasource|generator)\s+(\w+)\s*\{$/;
const FIELD = /^(\w+)\s+(Unsupported\("(?:[^"\\]|\\.)*"\)|[\w.]+)(\[\])?(\?)?(?:\s+(.*))?$/;

/** The text without `//` comments (those inside strings kept). */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '/' && line[i + 1] === '/' && !quoted) return line.slice(0, i);
  }
  return line;
}

/** Models, views, composite types and enums of a schema; throws `line N: …` on what it cannot read. */
export function readPrismaSchema(text: string): Map<string, Block> {
  const out = new Map<string, Block>();
  let block: Block | null = null;
  let depth = 0; // inside datasource/generator: `{` `}` of their values
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = stripComment(raw).trim();
    if (!line) return;
    const fail = (what: string) => { throw new Error(`line ${index + 1}: ${what}: ${line.slice(0, 60)}`); };
    if (!block) {
      const start = BLOCK_START.exec(line);
      if (!start) fail('expected a block');
      block = { kind: start![1]!, name: start![2]!, fields: new Map(), values: new Set() };
      depth = 0;
      return;
    }
    if (line === '}' && depth === 0) {
      if (block.kind !== 'datasource' && block.kind !== 'generator') out.set(block.name, block);
      block = null;
      return;
    }
    if (block.kind === 'datasource' || block.kind === 'generator') {
      depth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0);
      return;
    }
    if (line.startsWith('@@')) return;
    if (block.kind === 'enum') {
      const value = /^(\w+)(\s+@.*)?$/.exec(line);
      if (!value) fail('expected an enum value');
      block.values.add(value![1]!);
      return;
    }
    const field = FIELD.exec(line);
    if (!field) fail('expected a field');
    const attributes = field![5] ?? '';
    if (attributes && !attributes.startsWith('@')) fail('expected attributes');
    block.fields.set(field![1]!, {
      name: field![1]!,
      type: field![2]!,
      array: field![3] === '[]',
      optional: field![4] === '?',
      hasDefault: /@(default|updatedAt)\b/.test(attributes),
    });
  });
  if (block) throw new Error(`${(block as Block).kind} ${(block as Block).name}: no closing }`);
  return out;
}

const shown = (f: Field) => `${f.type}${f.array ? '[]' : ''}${f.optional ? '?' : ''}`;

export const prisma: FormatComparer = {
  parse: (text) => readPrismaSchema(text),
  compare(before, after, context) {
    const a = before as Map<string, Block>;
    const b = after as Map<string, Block>;
    const changes: ContractChange[] = [];
    const add = (severity: Severity, kind: string, block: string, where: string, message: string) => {
      const change: ContractChange = { severity, kind, where, message };
      if (context.exportsNames.has(block)) change.exportName = block;
      changes.push(change);
    };
    for (const [name, old] of a) {
      const now = b.get(name);
      if (!now) { add('breaking', `${old.kind}-removed`, name, name, `${old.kind} ${name} removed`); continue; }
      if (old.kind === 'enum') {
        for (const v of old.values) if (!now.values.has(v)) add('breaking', 'enum-value-removed', name, `${name}.${v}`, `${name}: -${v}`);
        for (const v of now.values) if (!old.values.has(v)) add('dangerous', 'enum-value-added', name, `${name}.${v}`, `${name}: +${v}`);
        continue;
      }
      for (const [fname, f] of old.fields) {
        const g = now.fields.get(fname);
        const where = `${name}.${fname}`;
        if (!g) { add('breaking', 'field-removed', name, where, `${name}: -${fname}`); continue; }
        if (f.type !== g.type || f.array !== g.array) add('breaking', 'field-type-changed', name, where, `${name}.${fname}: ${shown(f)} → ${shown(g)}`);
        else if (f.optional && !g.optional) add('breaking', 'field-now-required', name, where, `${name}.${fname}: now required (${shown(g)})`);
        else if (!f.optional && g.optional) add('dangerous', 'field-now-optional', name, where, `${name}.${fname}: now optional (${shown(g)})`);
      }
      for (const [fname, g] of now.fields) {
        if (old.fields.has(fname)) continue;
        // A required scalar with no default cannot be filled for existing rows nor omitted by
        // existing writers; optional, defaulted and list fields (relations' back sides) can.
        const safe = g.optional || g.array || g.hasDefault;
        add(safe ? 'safe' : 'breaking', safe ? 'field-added' : 'required-field-added', name, `${name}.${fname}`, `${name}: +${fname} ${shown(g)}`);
      }
    }
    for (const [name, now] of b) if (!a.has(name)) add('safe', `${now.kind}-added`, name, name, `${now.kind} ${name} added`);
    return changes;
  },
};
