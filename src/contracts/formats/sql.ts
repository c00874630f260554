// SQL: migration files and schema files, parsed statement by statement with node-sql-parser
// (PostgreSQL grammar, then MySQL's), classified by us after strong_migrations' and squawk's
// rules (see docs/change-detection.md). The statements classified are those of the new text
// that were not in the old one: all of them for a new migration file.
import type { ContractChange, FormatComparer, Severity } from '../types.js';

type Ast = Record<string, any>;
interface Parser { astify(sql: string, options: { database: string }): Ast | Ast[] }
interface Statement { text: string; ast: Ast | null }

const parsers: Array<[string, Parser]> = [];
async function load(): Promise<void> {
  if (parsers.length) return;
  const pg = (await import('node-sql-parser/build/postgresql.js')) as unknown as { default: { Parser: new () => Parser } };
  const my = (await import('node-sql-parser/build/mysql.js')) as unknown as { default: { Parser: new () => Parser } };
  parsers.push(['postgresql', new pg.default.Parser()], ['mysql', new my.default.Parser()]);
}

/** Statements split on `;` outside quotes, comments and dollar-quoted bodies. */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '-' && text[i + 1] === '-') { i = text.indexOf('\n', i); if (i < 0) break; continue; }
    if (c === '/' && text[i + 1] === '*') { i = text.indexOf('*/', i + 2); if (i < 0) break; i += 2; continue; }
    if (c === "'" || c === '"' || c === '`') { i = text.indexOf(c, i + 1); if (i < 0) break; i++; continue; }
    if (c === '$') {
      const tag = /^\$\w*\$/.exec(text.slice(i, i + 64))?.[0];
      if (tag) { i = text.indexOf(tag, i + tag.length); if (i < 0) break; i += tag.length; continue; }
    }
    if (c === ';') { out.push(text.slice(start, i)); start = i + 1; }
    i++;
  }
  out.push(text.slice(start));
  return out.map(normalize).filter(Boolean);
}

/** Comments dropped, whitespace collapsed: two texts of one statement compare equal. */
function normalize(statement: string): string {
  return statement.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\s+/g, ' ').trim();
}

function parseStatement(text: string): Ast | null {
  for (const [database, parser] of parsers) {
    try {
      const ast = parser.astify(text, { database });
      return Array.isArray(ast) ? (ast[0] ?? null) : ast;
    } catch { /* next dialect */ }
  }
  return null;
}

const nameOf = (t: any): string => (typeof t === 'string' ? t : t?.table ?? t?.expr?.value ?? '?');
const columnOf = (c: any): string => (typeof c === 'string' ? c : c?.column?.expr?.value ?? c?.column ?? '?');

/** Severity, kind and message of one statement. */
function classify(statement: Statement): Array<Omit<ContractChange, 'exportName' | 'repeat'>> {
  const { ast, text } = statement;
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  const one = (severity: Severity, kind: string, where: string, message: string) => [{ severity, kind, where, message }];
  if (!ast) {
    // Not understood: judged by its first words, never silently safe.
    if (/^\s*(drop|truncate)\b/i.test(text) || /\b(drop|rename)\s+(column|constraint|table)\b/i.test(text)) return one('breaking', 'unparsed-drop', short, `${short} (not parsed)`);
    return one('dangerous', 'unparsed', short, `${short} (not parsed)`);
  }
  const type = String(ast.type ?? '').toLowerCase();
  if (type === 'drop') {
    const names = (ast.name ?? []).map(nameOf).join(', ');
    return one(ast.keyword === 'index' ? 'dangerous' : 'breaking', `drop-${ast.keyword}`, names, `DROP ${String(ast.keyword).toUpperCase()} ${names}`);
  }
  if (type === 'truncate') return one('breaking', 'truncate', nameOf(ast.name?.[0]), short);
  if (type === 'rename') return one('breaking', 'rename-table', short, short);
  if (type === 'create') {
    const what = String(ast.keyword ?? '');
    const name = what === 'table' ? nameOf(ast.table?.[0]) : String(ast.index ?? nameOf(ast.table));
    return one('safe', `create-${what}`, name, `CREATE ${what.toUpperCase()} ${name}`);
  }
  if (type === 'alter') {
    const table = nameOf(ast.table?.[0]);
    return (ast.expr ?? []).map((e: Ast) => {
      const action = String(e.action ?? '').toLowerCase();
      const resource = String(e.resource ?? '').toLowerCase();
      const column = columnOf(e.column);
      const where = resource === 'column' ? `${table}.${column}` : table;
      if (action === 'add' && resource === 'column') {
        const notNull = String(e.nullable?.value ?? '').toLowerCase() === 'not null';
        const withDefault = !!e.default_val;
        const kind = notNull && !withDefault ? 'add-column-not-null' : 'add-column';
        const type = e.definition?.dataType ?? '';
        return { severity: notNull && !withDefault ? 'breaking' : 'safe', kind, where, message: `${table}: +${column} ${type}${notNull ? ' NOT NULL' : ''}${withDefault ? ' DEFAULT' : ''}`.trim() };
      }
      if (action === 'drop') return { severity: 'breaking', kind: `drop-${resource || 'part'}`, where, message: `${table}: -${resource === 'column' ? column : resource}` };
      if (action === 'rename') return { severity: 'breaking', kind: `rename-${resource || 'part'}`, where, message: `${table}: rename ${resource} ${column}` };
      if (action === 'add' && (resource === 'constraint' || resource === 'index')) return { severity: 'dangerous', kind: `add-${resource}`, where, message: `${table}: add ${resource}` };
      const text = short.toLowerCase();
      if (/\btype\b/.test(text) || /set not null/.test(text)) return { severity: 'breaking', kind: 'alter-column', where, message: short };
      return { severity: 'dangerous', kind: `alter-${action || 'table'}`, where, message: short };
    });
  }
  if (type === 'update' || type === 'delete') return one('dangerous', `data-${type}`, short, short);
  if (type === 'insert' || type === 'replace') return one('safe', `data-${type}`, short, short);
  return one('dangerous', `statement-${type || 'other'}`, short, short);
}

export const sql: FormatComparer = {
  parse: (text) => splitStatements(text),
  async compare(before, after, context) {
    await load();
    const old = new Set((before as string[] | null) ?? []);
    const added = (after as string[]).filter((s) => !old.has(s));
    const removed = [...old].filter((s) => !(after as string[]).includes(s));
    const changes: ContractChange[] = [];
    for (const text of added) {
      for (const c of classify({ text, ast: parseStatement(text) })) {
        const change: ContractChange = { ...c };
        const table = c.where.split('.')[0]!;
        if (context.exportsNames.has(table)) change.exportName = table;
        changes.push(change);
      }
    }
    // Statements taken out of an existing migration: a database that ran them keeps their effect.
    if (before !== null && removed.length) {
      changes.push({ severity: 'dangerous', kind: 'statements-removed', where: context.path, message: `${removed.length} statement(s) removed from an existing file` });
    }
    return changes;
  },
};
