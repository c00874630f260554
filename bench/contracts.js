// Contract diffs: time to diff a typical contract of each format, beside parsing its two sides
// alone (the baseline), and a large generated OpenAPI document. Run `npm run build` first.
import { diffContract } from '../dist/contracts/index.js';
import { formatRows, stats } from './lib.js';

const RUNS = 15;

function openapiDoc(paths, extra = false) {
  const doc = { openapi: '3.0.3', info: { title: 'bench', version: '1' }, paths: {}, components: { schemas: {} } };
  for (let i = 0; i < paths; i++) {
    doc.components.schemas[`Thing${i}`] = {
      type: 'object', required: ['id'],
      properties: { id: { type: 'string' }, name: { type: 'string', description: 'a name '.repeat(4) }, tags: { type: 'array', items: { type: 'string' } }, ...(extra && i % 10 === 0 ? { added: { type: 'integer' } } : {}) },
    };
    const ops = { get: { operationId: `get${i}`, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok', content: { 'application/json': { schema: { $ref: `#/components/schemas/Thing${i}` } } } } } } };
    if (!(extra && i % 50 === 0)) ops.delete = { operationId: `del${i}`, responses: { 204: { description: 'gone' } } };
    doc.paths[`/v1/things${i}/{id}`] = ops;
  }
  return JSON.stringify(doc, null, 1);
}

const graphql = (n, after) => Array.from({ length: n }, (_, i) => `type T${i} { id: ID! name: String${after && i % 10 === 0 ? '!' : ''} tags: [String!] }`).join('\n') + `\ntype Query { ${Array.from({ length: n }, (_, i) => `t${i}(id: ID!): T${i}`).join(' ')} }`;
const proto = (n, after) => `syntax = "proto3";\npackage bench.v1;\n` + Array.from({ length: n }, (_, i) => `message M${i} {\n  string id = 1;\n  string name = ${after && i % 10 === 0 ? 3 : 2};\n  repeated string tags = 4;\n}\n`).join('') + `service S {\n${Array.from({ length: n }, (_, i) => `  rpc Get${i}(M${i}) returns (M${i});\n`).join('')}}\n`;
const prisma = (n, after) => Array.from({ length: n }, (_, i) => `model M${i} {\n  id String @id\n  name String\n  createdAt DateTime @default(now())\n${after && i % 10 === 0 ? '  note String?\n' : ''}}\n`).join('\n');
const ts = (n, after) => Array.from({ length: n }, (_, i) => `export interface T${i} {\n  id: string;\n  name?: string;\n${after && i % 10 === 0 ? '  extra: number;\n' : ''}  run(x: number): Promise<void>;\n}\n`).join('');
const sql = `ALTER TABLE users ADD COLUMN refresh_token text;\nALTER TABLE users DROP COLUMN legacy;\nCREATE TABLE sessions (id text PRIMARY KEY, user_id text NOT NULL, expires_at timestamptz);\nCREATE INDEX sessions_user ON sessions (user_id);\nUPDATE users SET refresh_token = NULL;\n`;

const cases = [
  ['OpenAPI 3, 40 paths', 'openapi.json', openapiDoc(40), openapiDoc(40, true), 'openapi'],
  ['GraphQL SDL, 40 types', 'schema.graphql', graphql(40, false), graphql(40, true), 'graphql'],
  ['protobuf, 40 messages', 'api.proto', proto(40, false), proto(40, true), 'protobuf'],
  ['Prisma, 40 models', 'schema.prisma', prisma(40, false), prisma(40, true), 'prisma'],
  ['TypeScript, 40 interfaces', 'types.ts', ts(40, false), ts(40, true), 'typescript'],
  ['SQL migration, 5 statements', 'migrations/002.sql', null, sql, 'sql'],
];
const large = openapiDoc(1300);
cases.push([`OpenAPI 3, large (${(large.length / 1024 / 1024).toFixed(1)} MB, 1,300 paths)`, 'openapi.json', large, openapiDoc(1300, true), 'openapi']);

const modules = {
  openapi: () => import('../dist/contracts/formats/openapi.js').then((m) => m.openapi),
  graphql: () => import('../dist/contracts/formats/graphql.js').then((m) => m.graphql),
  protobuf: () => import('../dist/contracts/formats/protobuf.js').then((m) => m.protobuf),
  prisma: () => import('../dist/contracts/formats/prisma.js').then((m) => m.prisma),
  typescript: () => import('../dist/contracts/formats/typescript.js').then((m) => m.typescript),
  sql: () => import('../dist/contracts/formats/sql.js').then((m) => m.sql),
};

const rows = [];
for (const [name, path, before, after, format] of cases) {
  let started = performance.now();
  const first = await diffContract({ path, before, after, budget: { maxBytes: 4 << 20, maxMs: 60_000 } });
  const firstMs = performance.now() - started;
  if (first.notCompared) throw new Error(`${name}: ${first.notCompared}`);
  const comparer = await modules[format]();
  const runs = name.includes('large') ? 3 : RUNS;
  const diffMs = [];
  const parseMs = [];
  for (let i = 0; i < runs; i++) {
    started = performance.now();
    await diffContract({ path, before, after, budget: { maxBytes: 4 << 20, maxMs: 60_000 } });
    diffMs.push(performance.now() - started);
    started = performance.now();
    if (before !== null) comparer.parse(before, path);
    comparer.parse(after, path);
    parseMs.push(performance.now() - started);
  }
  const d = stats(diffMs).median;
  const p = stats(parseMs).median;
  rows.push({ name, value: d.toFixed(1), unit: 'ms', note: `parse alone ${p.toFixed(1)} ms; first diff (library load included) ${firstMs.toFixed(0)} ms; ${first.changes.length} changes, breaking ${first.breaking}` });
}
started: {
  const big = `openapi: 3.0.3\n${'#'.repeat(5 * 1024 * 1024)}\n`;
  const t = performance.now();
  const refused = await diffContract({ path: 'openapi.yaml', before: big, after: big + ' ' });
  rows.push({ name: '5 MB file refused by size', value: (performance.now() - t).toFixed(2), unit: 'ms', note: refused.notCompared ?? '' });
}
console.log(formatRows(rows));
