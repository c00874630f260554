// Contract diffs on real texts through the real parsers: one case per format, and the refusals.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contractFormatOf, diffContract } from '../src/contracts/index.js';

const openapiBefore = `openapi: 3.0.3
info: { title: auth, version: 1.0.0 }
paths:
  /v1/login:
    post:
      responses: { '200': { description: ok } }
    delete:
      responses: { '204': { description: logged out } }
  /v1/users/{id}:
    get:
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        '200':
          description: the user
          content:
            application/json:
              schema: { $ref: '#/components/schemas/User' }
components:
  schemas:
    User:
      type: object
      required: [id]
      properties:
        id: { type: string }
        email: { type: string }
`;
const openapiAfter = openapiBefore
  .replace(/    delete:\n      responses: \{ '204': \{ description: logged out \} \}\n/, '')
  .replace('        email: { type: string }\n', '        email: { type: string }\n        refreshToken: { type: string }\n');

test('OpenAPI: an endpoint removed and an optional field added is breaking, both in the digest', async () => {
  const diff = await diffContract({ path: 'api/openapi.yaml', before: openapiBefore, after: openapiAfter });
  assert.is(diff.format, 'openapi');
  assert.is(diff.notCompared, undefined);
  assert.ok(diff.breaking);
  assert.ok(diff.digest.includes('DELETE /v1/login removed (breaking)'), diff.digest);
  assert.ok(diff.digest.includes('User: +refreshToken string? (safe)'), diff.digest);
  assert.ok(Buffer.byteLength(diff.digest) <= 400);
  assert.equal(diff.changes[0]!.severity, 'breaking');
});

test('Swagger 2 is compared in the OpenAPI 3 shape', async () => {
  const doc = { swagger: '2.0', info: { title: 'a', version: '1' }, paths: { '/a': { get: { responses: { 200: { description: 'x' } } }, delete: { responses: { 200: { description: 'x' } } } } } };
  const before = JSON.stringify(doc);
  const after = JSON.stringify({ ...doc, paths: { '/a': { get: doc.paths['/a'].get } } });
  const diff = await diffContract({ path: 'swagger.json', before, after });
  assert.is(diff.format, 'swagger');
  assert.ok(diff.breaking, diff.digest);
  assert.ok(diff.digest.includes('DELETE /a removed (breaking)'), diff.digest);
});

test('GraphQL: an argument made non-null is breaking, an output field made non-null is safe', async () => {
  const before = 'type User { id: ID! email: String }\ntype Query { user(id: ID): User }';
  const after = 'type User { id: ID! email: String! }\ntype Query { user(id: ID!): User }';
  const diff = await diffContract({ path: 'schema.graphql', before, after });
  assert.is(diff.format, 'graphql');
  assert.ok(diff.breaking);
  const arg = diff.changes.find((c) => c.where === 'Query.user.id')!;
  assert.is(arg.severity, 'breaking');
  const field = diff.changes.find((c) => c.where === 'User.email')!;
  assert.is(field.severity, 'safe');
  assert.ok(diff.digest.includes('String!'), diff.digest);
});

test('protobuf: a field renumbered is breaking; a field added is safe', async () => {
  const before = 'syntax = "proto3";\npackage auth.v1;\nmessage User {\n  string id = 1;\n  string email = 2;\n}\n';
  const after = 'syntax = "proto3";\npackage auth.v1;\nmessage User {\n  string id = 1;\n  string email = 3;\n  string nick = 4;\n}\n';
  const diff = await diffContract({ path: 'proto/user.proto', before, after });
  assert.is(diff.format, 'protobuf');
  assert.ok(diff.breaking);
  assert.ok(diff.digest.includes('auth.v1.User.email renumbered 2 → 3 (breaking)'), diff.digest);
  assert.ok(diff.digest.includes('+string nick = 4 (safe)'), diff.digest);
});

test('Prisma: an optional column added is safe, a required one without default breaking', async () => {
  const before = 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\nmodel User {\n  id    String @id // key\n  email String @unique\n}\n';
  const after = before.replace('  email String @unique\n', '  email String @unique\n  refreshToken String?\n');
  const diff = await diffContract({ path: 'prisma/schema.prisma', before, after });
  assert.is(diff.format, 'prisma');
  assert.not.ok(diff.breaking);
  assert.is(diff.digest, 'User: +refreshToken String? (safe)');
  const required = await diffContract({ path: 'schema.prisma', before, after: before.replace('  email String @unique\n', '  email String @unique\n  tenant String\n') });
  assert.ok(required.breaking, required.digest);
});

test('TypeScript: a required member added to an exported interface named in exports is breaking', async () => {
  const before = 'export interface UserToken {\n  sub: string;\n  exp?: number;\n}\nexport function verify(token: string): UserToken { return null!; }\n';
  const after = before.replace('  exp?: number;\n', '  exp?: number;\n  scopes: string[];\n  issuer?: string;\n');
  const diff = await diffContract({ path: 'src/types.ts', before, after, exportsNames: ['UserToken'] });
  assert.is(diff.format, 'typescript');
  assert.ok(diff.breaking);
  const added = diff.changes.find((c) => c.where === 'UserToken.scopes')!;
  assert.is(added.severity, 'breaking');
  assert.is(added.exportName, 'UserToken');
  assert.is(diff.changes.find((c) => c.where === 'UserToken.issuer')!.severity, 'safe');
  assert.ok(diff.digest.startsWith('UserToken: +scopes: string[] (breaking)'), diff.digest);
});

test('SQL: a new migration file is classified statement by statement', async () => {
  const after = '-- auth\nALTER TABLE users ADD COLUMN refresh_token text;\nALTER TABLE users DROP COLUMN legacy;\nCREATE INDEX users_email ON users (email);\n';
  const diff = await diffContract({ path: 'migrations/002_tokens.sql', before: null, after });
  assert.is(diff.format, 'sql');
  assert.ok(diff.breaking);
  assert.ok(diff.digest.includes('users: -legacy (breaking)'), diff.digest);
  assert.ok(diff.digest.includes('users: +refresh_token TEXT (safe)'), diff.digest);
});

test('a malformed OpenAPI file is not compared, with the reason', async () => {
  const diff = await diffContract({ path: 'openapi.yaml', before: openapiBefore, after: 'openapi: 3.0.3\npaths: [\n  {oops\n' });
  assert.is(diff.format, 'openapi');
  assert.equal(diff.changes, []);
  assert.not.ok(diff.breaking);
  assert.match(diff.notCompared!, /^the new version does not parse: /);
  assert.match(diff.digest, /^contract not compared: the new version does not parse/);
});

test('a 5 MB file is refused by size before parsing', async () => {
  const big = `openapi: 3.0.3\npaths:\n${'  # padding padding padding padding padding padding padding padding padding\n'.repeat(70_000)}`;
  assert.ok(big.length > 5_000_000);
  // (How long it takes is a benchmark's question: bench/contracts.js.)
  const diff = await diffContract({ path: 'openapi.yaml', before: openapiBefore, after: big });
  assert.match(diff.notCompared!, /MB is over the 2\.0 MB limit/);
  assert.is(diff.format, 'openapi');
});

test('unknown formats, new and removed files', async () => {
  assert.is((await diffContract({ path: 'README.md', before: 'a', after: 'b' })).notCompared, 'not a contract format we know');
  const removed = await diffContract({ path: 'schema.graphql', before: 'type Query { a: Int }', after: null });
  assert.ok(removed.breaking);
  const added = await diffContract({ path: 'schema.graphql', before: null, after: 'type Query { a: Int }' });
  assert.is(added.changes[0]!.kind, 'file-added');
});

test('contractFormatOf: by extension, by content, by name', () => {
  assert.is(contractFormatOf('a/b.proto'), 'protobuf');
  assert.is(contractFormatOf('api.yaml', 'openapi: "3.1.0"\n'), 'openapi');
  assert.is(contractFormatOf('api.json', '{"swagger":"2.0"}'), 'swagger');
  assert.is(contractFormatOf('events.yaml', 'asyncapi: 2.6.0\n'), 'asyncapi');
  assert.is(contractFormatOf('user.schema.json'), 'jsonschema');
  assert.is(contractFormatOf('config.yaml', 'port: 3\n'), null);
  assert.is(contractFormatOf('src/index.d.ts'), 'typescript');
});

test.run();
