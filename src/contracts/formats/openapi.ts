// OpenAPI 3.x, Swagger 2 (converted to the OpenAPI 3 shape first), AsyncAPI 2 and JSON Schema,
// compared and classified by api-smart-diff, whose rules follow each specification (see
// docs/change-detection.md). Documents are read with `yaml` (JSON through JSON.parse), aliases
// capped; `$ref`s outside the document are not followed: nothing is fetched or read.
import { apiCompare } from 'api-smart-diff';
import { parse as parseYaml } from 'yaml';
import type { CompareContext, ContractChange, ContractFormat, FormatComparer, Severity } from '../types.js';

type Json = Record<string, unknown>;
type Diff = { action: string; path: Array<string | number>; description?: string; before?: unknown; after?: unknown; type: string };

const SEVERITY: Record<string, Severity> = {
  breaking: 'breaking',
  'non-breaking': 'safe',
  annotation: 'safe',
  deprecated: 'dangerous',
  unclassified: 'dangerous',
};
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

function readDocument(text: string): Json {
  const trimmed = text.trimStart();
  const doc: unknown = trimmed.startsWith('{') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100, prettyErrors: false });
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the document is not an object');
  return doc as Json;
}

function comparer(format: ContractFormat, check: (doc: Json) => string | null, convert?: (doc: Json) => Json): FormatComparer {
  return {
    parse(text) {
      const doc = readDocument(text);
      const problem = check(doc);
      if (problem) throw new Error(problem);
      return convert ? convert(doc) : doc;
    },
    compare(before, after, context) {
      const { diffs } = apiCompare(before, after) as { diffs: Diff[] };
      return describe(diffs, after as Json, context, format);
    },
  };
}

const hasPaths = (doc: Json) => (doc.paths !== undefined && (typeof doc.paths !== 'object' || doc.paths === null) ? '`paths` is not an object' : null);

export const openapi = comparer('openapi', (doc) =>
  typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.') ? 'no `openapi: 3.x` at the top level' : hasPaths(doc));
export const swagger = comparer('swagger', (doc) =>
  String(doc.swagger) !== '2.0' ? 'no `swagger: "2.0"` at the top level' : hasPaths(doc), swaggerToOpenapi);
export const asyncapi = comparer('asyncapi', (doc) =>
  typeof doc.asyncapi !== 'string' ? 'no `asyncapi` version at the top level' : null);
export const jsonschema = comparer('jsonschema', () => null);

/** api-smart-diff's diffs as our changes, with short messages and `where`s. */
function describe(diffs: Diff[], after: Json, context: CompareContext, format: ContractFormat): ContractChange[] {
  const changes = diffs.map((diff) => {
    const change: ContractChange = {
      severity: SEVERITY[diff.type] ?? 'dangerous',
      kind: `${diff.action}-${diff.type}`,
      where: whereOf(diff.path, format),
      message: messageOf(diff, after, format),
    };
    const name = schemaName(diff.path, format);
    if (name && context.exportsNames.has(name)) change.exportName = name;
    return change;
  });
  // A component schema's change shows up again inside every operation that `$ref`s it.
  const componentKeys = new Set(
    diffs.filter((d) => schemaName(d.path, format)).map((d) => `${d.action} ${d.type} ${String(d.path.at(-1))}`),
  );
  diffs.forEach((diff, i) => {
    if (diff.path[0] === 'paths' && diff.path.includes('schema') && componentKeys.has(`${diff.action} ${diff.type} ${String(diff.path.at(-1))}`)) {
      changes[i]!.repeat = true;
    }
  });
  return changes;
}

/** `User` for a change inside components.schemas.User (definitions for JSON Schema). */
function schemaName(path: Diff['path'], format: ContractFormat): string | null {
  if (path[0] === 'components' && path[1] === 'schemas' && path.length > 2) return String(path[2]);
  if (format === 'jsonschema' && (path[0] === 'definitions' || path[0] === '$defs') && path.length > 1) return String(path[1]);
  return null;
}

function whereOf(path: Diff['path'], format: ContractFormat): string {
  if (path[0] === 'paths' && path.length > 2 && METHODS.has(String(path[2]))) return `${String(path[2]).toUpperCase()} ${String(path[1])}`;
  if (path[0] === 'paths' && path.length > 1) return String(path[1]);
  const name = schemaName(path, format);
  if (name) {
    const rest = path.slice(path[0] === 'components' ? 3 : 2);
    return rest[0] === 'properties' && rest.length > 1 ? `${name}.${String(rest[1])}` : name;
  }
  if (path[0] === 'channels' && path.length > 1) return String(path[1]);
  return path.map(String).join('.') || '(document)';
}

function messageOf(diff: Diff, after: Json, format: ContractFormat): string {
  const { path, action } = diff;
  const verb = action === 'add' ? 'added' : action === 'remove' ? 'removed' : action === 'rename' ? 'renamed' : 'changed';
  if (path[0] === 'paths' && path.length === 3 && METHODS.has(String(path[2]))) return `${String(path[2]).toUpperCase()} ${String(path[1])} ${verb}`;
  if (path[0] === 'paths' && path.length === 2) return `${String(path[1])} ${verb}`;
  const name = schemaName(path, format);
  if (name) {
    const rest = path.slice(path[0] === 'components' ? 3 : 2);
    if (rest.length === 0) return `schema ${name} ${verb}`;
    if (rest.length === 2 && rest[0] === 'properties') {
      const prop = String(rest[1]);
      if (action === 'add') {
        const schema = lookup(after, path.slice(0, -2)) as Json | undefined;
        const required = Array.isArray(schema?.required) && schema.required.includes(prop);
        return `${name}: +${prop} ${typeOf(diff.after)}${required ? '' : '?'}`;
      }
      if (action === 'remove') return `${name}: -${prop}`;
    }
    if (rest.length === 2 && rest[0] === 'required' && action === 'add') return `${name}: ${String(diff.after)} now required`;
    if (rest.length === 2 && rest[0] === 'required' && action === 'remove') return `${name}: ${String(diff.before)} no longer required`;
  }
  const where = whereOf(path, format);
  const text = diff.description?.replace(/^\[(\w+)\]\s*/, (_, tag: string) => `${tag.toLowerCase()} `);
  return `${where}: ${text ?? `${verb} ${path.slice(-2).map(String).join('.')}`}`;
}

function typeOf(schema: unknown): string {
  if (!schema || typeof schema !== 'object') return 'value';
  const s = schema as Json;
  if (typeof s.$ref === 'string') return s.$ref.split('/').pop() ?? 'object';
  if (s.type === 'array') return `${typeOf(s.items)}[]`;
  if (Array.isArray(s.type)) return s.type.join('|');
  if (typeof s.type === 'string') return s.type;
  return 'object';
}

function lookup(doc: unknown, path: Diff['path']): unknown {
  let node = doc;
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/**
 * A Swagger 2 document in the OpenAPI 3.0 shape, enough for a comparison: definitions,
 * parameters and responses under components (refs rewritten), body and form parameters as
 * request bodies, response schemas as content. Not a full converter (no produces/consumes).
 */
export function swaggerToOpenapi(doc: Json): Json {
  const json = JSON.stringify(doc)
    .replaceAll('"#/definitions/', '"#/components/schemas/')
    .replaceAll('"#/parameters/', '"#/components/parameters/')
    .replaceAll('"#/responses/', '"#/components/responses/');
  const src = JSON.parse(json) as Json;
  const media = (Array.isArray(src.consumes) && typeof src.consumes[0] === 'string' ? src.consumes[0] : 'application/json') as string;
  const param = (p: Json): Json => {
    if (typeof p.$ref === 'string') return p;
    const { name, in: where, required, description, deprecated, schema, ...rest } = p;
    const out: Json = { name, in: where, schema: schema ?? rest };
    if (required !== undefined) out.required = required;
    if (description !== undefined) out.description = description;
    if (deprecated !== undefined) out.deprecated = deprecated;
    return out;
  };
  const response = (r: Json): Json => {
    if (typeof r.$ref === 'string') return r;
    const { schema, examples: _examples, ...rest } = r;
    return schema ? { ...rest, content: { 'application/json': { schema } } } : rest;
  };
  const operation = (op: Json): Json => {
    const params = (Array.isArray(op.parameters) ? op.parameters : []) as Json[];
    const body = params.find((p) => p.in === 'body');
    const form = params.filter((p) => p.in === 'formData');
    const out: Json = { ...op, parameters: params.filter((p) => p.in !== 'body' && p.in !== 'formData').map(param) };
    if (body) out.requestBody = { required: body.required === true, content: { [media]: { schema: body.schema } } };
    if (form.length) {
      const properties = Object.fromEntries(form.map((p) => [p.name, param(p).schema]));
      const required = form.filter((p) => p.required).map((p) => p.name);
      out.requestBody = { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties, required } } } };
    }
    if (op.responses && typeof op.responses === 'object') {
      out.responses = Object.fromEntries(Object.entries(op.responses as Json).map(([code, r]) => [code, response(r as Json)]));
    }
    delete out.consumes;
    delete out.produces;
    return out;
  };
  const paths = Object.fromEntries(
    Object.entries((src.paths ?? {}) as Json).map(([route, item]) => [
      route,
      Object.fromEntries(
        Object.entries(item as Json).map(([key, value]) =>
          METHODS.has(key) ? [key, operation(value as Json)] : key === 'parameters' ? [key, (value as Json[]).map(param)] : [key, value],
        ),
      ),
    ]),
  );
  const parameters = Object.fromEntries(
    Object.entries((src.parameters ?? {}) as Json).filter(([, p]) => (p as Json).in !== 'body').map(([k, p]) => [k, param(p as Json)]),
  );
  const responses = Object.fromEntries(Object.entries((src.responses ?? {}) as Json).map(([k, r]) => [k, response(r as Json)]));
  return {
    openapi: '3.0.3',
    info: src.info,
    paths,
    components: { schemas: src.definitions ?? {}, parameters, responses },
  };
}
