// TypeScript: the exported declarations of a file, above all the types the topology lists in
// `exports`. Parsed with the TypeScript compiler's parser only (`createSourceFile`: no program,
// no type checker, no file read, nothing run); compared by us on the declarations' text, after
// the rules of semver-ts.org ("Semantic Versioning for TypeScript Types"); see
// docs/change-detection.md.
import ts from 'typescript';
import type { ContractChange, FormatComparer, Severity } from '../types.js';

interface Member { optional: boolean; type: string }
interface Declaration { kind: string; members: Map<string, Member> | null; text: string }

const squash = (text: string) => text.replace(/\s+/g, ' ').replace(/\s*([;,{}()<>:|&=?])\s*/g, '$1').replace(/;}/g, '}').trim();

function memberName(name: ts.PropertyName | undefined, file: ts.SourceFile): string {
  if (!name) return '';
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name) ? name.text : name.getText(file);
}

function membersOf(members: ts.NodeArray<ts.TypeElement | ts.ClassElement>, file: ts.SourceFile): Map<string, Member> {
  const out = new Map<string, Member>();
  for (const m of members) {
    const modifiers = ts.canHaveModifiers(m) ? (ts.getModifiers(m) ?? []) : [];
    if (modifiers.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
    if (ts.isConstructorDeclaration(m) || ts.isClassStaticBlockDeclaration(m)) continue;
    const name = ts.isIndexSignatureDeclaration(m) || ts.isCallSignatureDeclaration(m) || ts.isConstructSignatureDeclaration(m)
      ? `[${ts.SyntaxKind[m.kind]}]`
      : memberName((m as ts.NamedDeclaration).name as ts.PropertyName | undefined, file);
    if (!name || name.startsWith('#')) continue;
    const optional = !!(m as { questionToken?: ts.Node }).questionToken;
    let type: string;
    if (ts.isPropertySignature(m) || ts.isPropertyDeclaration(m)) type = m.type ? squash(m.type.getText(file)) : 'any';
    else type = squash(m.getText(file).replace(/^[^(<]*/, '')); // a method's or signature's parameters and return type
    const previous = out.get(name);
    out.set(name, previous ? { optional, type: `${previous.type} & ${type}` } : { optional, type }); // overloads
  }
  return out;
}

interface Parsed { exported: Map<string, Declaration>; local: Map<string, Declaration> }

function read(text: string, path: string): Parsed {
  const kind = path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  const diagnostics = (file as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (diagnostics.length) {
    const d = diagnostics[0]!;
    const line = d.start !== undefined ? file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    throw new Error(`line ${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }
  const local = new Map<string, Declaration>();
  const exported = new Map<string, string>(); // exported name -> local name
  const isExported = (node: ts.Node) => ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const put = (name: string, declaration: Declaration, node: ts.Node) => {
    const previous = local.get(name);
    if (previous?.members && declaration.members) for (const [k, v] of declaration.members) previous.members.set(k, v); // merging
    else local.set(name, declaration);
    if (isExported(node)) exported.set(name, name);
  };
  for (const statement of file.statements) {
    if (ts.isInterfaceDeclaration(statement)) {
      const heritage = statement.heritageClauses?.map((h) => h.getText(file)).join(' ') ?? '';
      const members = membersOf(statement.members, file);
      if (heritage) members.set('[extends]', { optional: false, type: squash(heritage) });
      put(statement.name.text, { kind: 'interface', members, text: '' }, statement);
    } else if (ts.isTypeAliasDeclaration(statement)) {
      const literal = ts.isTypeLiteralNode(statement.type) ? membersOf(statement.type.members, file) : null;
      put(statement.name.text, { kind: 'type', members: literal, text: squash(statement.type.getText(file)) }, statement);
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      put(statement.name.text, { kind: 'class', members: membersOf(statement.members, file), text: '' }, statement);
    } else if (ts.isEnumDeclaration(statement)) {
      const members = new Map(statement.members.map((m) => [memberName(m.name, file), { optional: false, type: m.initializer ? squash(m.initializer.getText(file)) : '' }]));
      put(statement.name.text, { kind: 'enum', members, text: '' }, statement);
    } else if (ts.isFunctionDeclaration(statement) && statement.name) {
      const signature = squash(statement.getText(file).replace(/\{[\s\S]*$/, '').replace(/^[^(<]*/, ''));
      const previous = local.get(statement.name.text);
      put(statement.name.text, { kind: 'function', members: null, text: previous ? `${previous.text} & ${signature}` : signature }, statement);
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) continue;
        put(d.name.text, { kind: 'const', members: null, text: d.type ? squash(d.type.getText(file)) : '(inferred)' }, statement);
      }
    } else if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const e of statement.exportClause.elements) {
        if (statement.moduleSpecifier) exported.set(e.name.text, `from ${squash(statement.moduleSpecifier.getText(file))}`);
        else exported.set(e.name.text, (e.propertyName ?? e.name).text);
      }
    } else if (ts.isExportDeclaration(statement) && !statement.exportClause && statement.moduleSpecifier) {
      exported.set(`* from ${squash(statement.moduleSpecifier.getText(file))}`, '');
    }
  }
  const out = new Map<string, Declaration>();
  for (const [name, localName] of exported) {
    out.set(name, local.get(localName) ?? { kind: 're-export', members: null, text: localName });
  }
  return { exported: out, local };
}

export const typescript: FormatComparer = {
  parse: (text, path) => read(text, path),
  compare(before, after, context) {
    // Declarations named in `exports` are compared even when this file does not export them.
    const view = ({ exported, local }: Parsed) => {
      const out = new Map(exported);
      for (const name of context.exportsNames) if (!out.has(name) && local.has(name)) out.set(name, local.get(name)!);
      return out;
    };
    const a = view(before as Parsed);
    const b = view(after as Parsed);
    const changes: ContractChange[] = [];
    const add = (severity: Severity, kind: string, name: string, where: string, message: string) => {
      const change: ContractChange = { severity, kind, where, message };
      if (context.exportsNames.has(name)) change.exportName = name;
      changes.push(change);
    };
    for (const [name, old] of a) {
      const now = b.get(name);
      if (!now) { add('breaking', 'export-removed', name, name, `${old.kind} ${name} removed`); continue; }
      if (old.kind !== now.kind && !(old.members && now.members)) {
        add('breaking', 'export-kind-changed', name, name, `${name}: ${old.kind} → ${now.kind}`);
        continue;
      }
      if (!old.members || !now.members) {
        if (old.text !== now.text) add('breaking', `${now.kind}-changed`, name, name, `${name}: ${clip(old.text)} → ${clip(now.text)}`);
        continue;
      }
      const enumLike = now.kind === 'enum';
      for (const [member, m] of old.members) {
        const n = now.members.get(member);
        const where = `${name}.${member}`;
        if (!n) { add('breaking', 'member-removed', name, where, `${name}: -${member}`); continue; }
        if (m.type !== n.type) add('breaking', 'member-type-changed', name, where, `${name}.${member}: ${clip(m.type) || '(auto)'} → ${clip(n.type) || '(auto)'}`);
        if (m.optional && !n.optional) add('breaking', 'member-now-required', name, where, `${name}.${member}: now required`);
        if (!m.optional && n.optional) add('breaking', 'member-now-optional', name, where, `${name}.${member}: now optional`);
      }
      for (const [member, n] of now.members) {
        if (old.members.has(member)) continue;
        const where = `${name}.${member}`;
        if (enumLike) add('dangerous', 'enum-member-added', name, where, `${name}: +${member}`);
        else if (now.kind === 'class' || n.optional) add('safe', 'member-added', name, where, `${name}: +${member}${n.optional ? '?' : ''}: ${clip(n.type)}`);
        else add('breaking', 'required-member-added', name, where, `${name}: +${member}: ${clip(n.type)}`);
      }
    }
    for (const [name, now] of b) if (!a.has(name)) add('safe', 'export-added', name, name, `${now.kind} ${name} added`);
    return changes;
  },
};

const clip = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text);
