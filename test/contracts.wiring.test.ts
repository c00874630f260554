// Contract diffs end to end: real member repos, real commits through the installed post-commit
// hook, updates read by another session's server over stdio (the SDK client), the full diff
// through get_update and `log --show`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commitAll, install, waitFor } from './helpers/hooks.js';
import { CLI_ENTRY, makePlatform, startServer, type Server } from './helpers/mcp.js';

interface Update { id: string; fromRole: string; changeType: string; changeTypes: string[]; priority: string; summary: string; commit?: string; contract?: string; uses?: string[] }
interface Change { severity: string; kind: string; where: string; message: string; exportName?: string }
interface Contract {
  digest: string; breaking: boolean; breakingFrom: string[]; claimUnconfirmed?: boolean;
  files: Array<{ path: string; format: string | null; changes?: Change[]; notCompared?: string }>;
  exports?: string[]; consumers?: Array<{ role: string; names: string[] }>;
}
interface Details { update: Update; contract: Contract | null; targets: Array<{ role: string; priority: string }> }
interface ToolDetails { updates: Array<{ contract?: { digest: string; breakingFrom: string[]; files: Array<{ path: string; format: string; changes: string[] }>; consumers: string[] } }> }

const platform = makePlatform();
const { auth, gateway: gatewayRepo } = platform.repos;
let server: Server;
let gatewaySession = '';
let frontendSession = '';
let frontendServer: Server;

const write = (file: string, text: string) => {
  mkdirSync(join(auth, file, '..'), { recursive: true });
  writeFileSync(join(auth, file), text);
};
/** Commits in auth and waits until gateway sees the update of that commit (peeking). */
const commitAndRead = async (message: string, who: { server: Server; session: string } = { server, session: gatewaySession }): Promise<Update> => {
  const sha = commitAll(auth, message);
  return waitFor(`update of ${sha}`, async () => {
    const { updates } = await who.server.call<{ updates: Update[] }>('get_cross_project_updates', { sessionId: who.session, peek: true, limit: 100 });
    return updates.find((u) => u.commit === sha);
  }, 20_000, 100);
};
/** The full record as `log --show <id> --json` prints it. */
const details = (id: string): Details =>
  JSON.parse(execFileSync(process.execPath, [CLI_ENTRY, 'log', '--show', id, '--json'], { env: { ...process.env, ...platform.env }, encoding: 'utf8' })) as Details;
const getUpdate = async (id: string) => (await server.call<ToolDetails>('get_update', { sessionId: gatewaySession, eventIds: [id] })).updates[0]!;

const OPENAPI_V1 = `openapi: 3.0.3
info: { title: auth, version: "1" }
paths:
  /v1/users/{id}:
    get:
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: a user
          content:
            application/json:
              schema: { $ref: "#/components/schemas/User" }
  /v1/login:
    delete:
      responses:
        "204": { description: logged out }
components:
  schemas:
    User:
      type: object
      required: [id]
      properties:
        id: { type: string }
`;

test.before(async () => {
  // gateway's code uses UserToken; frontend's does not.
  writeFileSync(join(gatewayRepo, 'client.ts'), "import type { UserToken } from '@acme/auth';\nexport const check = (t: UserToken) => t.sub;\n");
  execFileSync('git', ['add', '-A'], { cwd: gatewayRepo });
  execFileSync('git', ['commit', '-qm', 'use UserToken'], { cwd: gatewayRepo });
  write('api/openapi.yaml', OPENAPI_V1);
  write('schema/user.graphql', 'type User {\n  id: ID!\n  name: String\n}\n\ntype Query {\n  user(id: ID!): User\n}\n');
  write('proto/user.proto', 'syntax = "proto3";\npackage auth;\nmessage User {\n  string id = 1;\n  string name = 2;\n}\n');
  write('prisma/schema.prisma', 'model User {\n  id   Int    @id\n  name String\n}\n');
  write('src/types/token.ts', 'export interface UserToken {\n  sub: string;\n}\nexport interface AuthContext {\n  token: UserToken;\n}\n');
  commitAll(auth, 'initial contracts');
  assert.is((await install(auth, platform.home)).state, 'current');
  server = await startServer(platform.env);
  frontendServer = await startServer(platform.env);
  gatewaySession = (await server.call<{ sessionId: string }>('register_session', { repoPath: gatewayRepo, projectGroup: 'my-platform' })).sessionId;
  frontendSession = (await frontendServer.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.frontend, projectGroup: 'my-platform' })).sessionId;
});

test.after(async () => {
  await server?.close();
  await frontendServer?.close();
});

test('OpenAPI: an endpoint removed and an optional field added reach gateway as breaking_change/critical, both in the digest', async () => {
  write('api/openapi.yaml', OPENAPI_V1
    .replace(/  \/v1\/login:\n    delete:\n      responses:\n        "204": \{ description: logged out \}\n/, '')
    .replace('        id: { type: string }\n', '        id: { type: string }\n        email: { type: string }\n'));
  const update = await commitAndRead('Tidy the auth API');
  assert.ok(update.changeTypes.includes('breaking_change'), update.changeTypes.join());
  assert.is(update.priority, 'critical');
  assert.ok(update.contract, 'the update carries a digest');
  assert.match(update.contract!, /\/v1\/login/);
  assert.match(update.contract!, /email/);
  assert.match(update.contract!, /\(breaking\)/);
  assert.match(update.contract!, /\(safe\)/);
  assert.ok(Buffer.byteLength(update.contract!) <= 400);
  const tool = await getUpdate(update.id);
  assert.equal(tool.contract!.breakingFrom, ['diff']);
  assert.is(tool.contract!.files[0]!.format, 'openapi');
  assert.ok(tool.contract!.files[0]!.changes.some((line) => /^breaking .*login/.test(line)), tool.contract!.files[0]!.changes.join('\n'));
  assert.ok(tool.contract!.files[0]!.changes.some((line) => /^safe .*email/.test(line)), tool.contract!.files[0]!.changes.join('\n'));
  const full = details(update.id);
  assert.is(full.contract!.breaking, true);
  assert.equal(full.contract!.breakingFrom, ['diff']);
  assert.is(full.contract!.files[0]!.format, 'openapi');
  const changes = full.contract!.files[0]!.changes!;
  assert.ok(changes.some((c) => c.severity === 'breaking' && /login/.test(c.where + c.message)), JSON.stringify(changes));
  assert.ok(changes.some((c) => c.severity === 'safe' && /email/.test(c.where + c.message)), JSON.stringify(changes));
});

test('GraphQL: a field made non-null is classified and in the digest', async () => {
  write('schema/user.graphql', 'type User {\n  id: ID!\n  name: String!\n}\n\ntype Query {\n  user(id: ID!): User\n}\n');
  const update = await commitAndRead('name is always set');
  const full = details(update.id);
  const change = full.contract!.files[0]!.changes!.find((c) => c.where.includes('User.name'));
  assert.ok(change, JSON.stringify(full.contract));
  assert.is(change!.severity, 'safe'); // an output field made non-null: clients already handle a value
  assert.match(update.contract!, /User\.name/);
});

test('protobuf: a renumbered field is breaking', async () => {
  write('proto/user.proto', 'syntax = "proto3";\npackage auth;\nmessage User {\n  string id = 1;\n  string name = 3;\n}\n');
  const update = await commitAndRead('renumber name');
  assert.ok(update.changeTypes.includes('breaking_change'));
  assert.is(update.priority, 'critical');
  assert.match(update.contract!, /name/);
  assert.match(update.contract!, /\(breaking\)/);
});

test('Prisma: a nullable column added is safe; a message claiming breaking keeps its claim and is marked unconfirmed', async () => {
  write('prisma/schema.prisma', 'model User {\n  id    Int     @id\n  name  String\n  email String?\n}\n');
  const update = await commitAndRead('feat!: add email');
  assert.match(update.contract!, /email/);
  assert.match(update.contract!, /\(safe\)/);
  assert.ok(update.changeTypes.includes('breaking_change'), 'the claim is kept');
  const full = details(update.id);
  assert.is(full.contract!.breaking, false);
  assert.equal(full.contract!.breakingFrom, ['message']);
  assert.is(full.contract!.claimUnconfirmed, true);
  assert.match(full.contract!.digest, /no breaking change/);
});

test('TypeScript: a required member added to an exported interface is breaking, names the export and marks gateway as its consumer', async () => {
  write('src/types/token.ts', 'export interface UserToken {\n  sub: string;\n  scope: string;\n}\nexport interface AuthContext {\n  token: UserToken;\n}\n');
  const update = await commitAndRead('tokens carry a scope');
  assert.ok(update.changeTypes.includes('breaking_change'));
  assert.match(update.contract!, /UserToken/);
  assert.match(update.contract!, /scope/);
  assert.equal(update.uses, ['UserToken']);
  const full = details(update.id);
  assert.equal(full.contract!.exports, ['UserToken']);
  assert.equal(full.contract!.consumers, [{ role: 'gateway', names: ['UserToken'] }]);
  assert.equal((await getUpdate(update.id)).contract!.consumers, ['gateway: UserToken']);
  const forFrontend = await frontendServer.call<{ updates: Update[] }>('get_cross_project_updates', { sessionId: frontendSession, peek: true, limit: 100 });
  const seen = forFrontend.updates.find((u) => u.id === update.id);
  assert.ok(seen, 'frontend is told (breaking goes to all)');
  assert.is(seen!.uses, undefined);
});

test('a malformed OpenAPI file still produces the event, with the reason', async () => {
  write('api/openapi.yaml', 'openapi: 3.0.3\npaths:\n  /v1/users: [unclosed\n    get: {\n');
  const update = await commitAndRead('wip api');
  assert.match(update.contract!, /^contract not compared: /);
  assert.match(update.contract!, /does not parse/);
  const full = details(update.id);
  assert.ok(full.contract!.files[0]!.notCompared);
  assert.match((await getUpdate(update.id)).contract!.files[0]!.changes[0]!, /^not compared: /);
});

test('a 5 MB schema produces the event with the reason, and the commit is not slowed', async () => {
  const props = Array.from({ length: 60_000 }, (_, i) => `"field${i}": { "type": "string", "description": "${'x'.repeat(40)}" }`);
  const big = `{ "$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": { ${props.join(',\n')} } }\n`;
  assert.ok(big.length > 5_000_000);
  write('schemas/big.schema.json', big);
  execFileSync('git', ['add', '-A'], { cwd: auth });
  const started = performance.now();
  execFileSync('git', ['commit', '-qm', 'huge schema'], { cwd: auth });
  const commitMs = performance.now() - started;
  const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: auth, encoding: 'utf8' }).trim();
  const update = await waitFor('update of the big schema', async () => {
    const { updates } = await server.call<{ updates: Update[] }>('get_cross_project_updates', { sessionId: gatewaySession, peek: true, limit: 100 });
    return updates.find((u) => u.commit === sha);
  }, 20_000, 100);
  assert.match(update.contract!, /contract not compared: .*over the 2\.0 MB limit/);
  // The hook starts the ingester detached: the commit does not wait for any diff.
  assert.ok(commitMs < 1500, `git commit took ${commitMs} ms`);
});

test('a commit with no contract file: no digest, and get_update has no contract', async () => {
  write('README.md', '# auth, documented\n');
  const update = await commitAndRead('docs');
  assert.is(update.contract, undefined);
  assert.is((await getUpdate(update.id)).contract, undefined);
});

test('log --show prints the full diff', async () => {
  const { updates } = await server.call<{ updates: Update[] }>('get_cross_project_updates', { sessionId: gatewaySession, peek: true, limit: 100 });
  const openapi = updates.find((u) => u.summary.startsWith('Tidy the auth API'))!;
  const out = execFileSync(process.execPath, [CLI_ENTRY, 'log', '--show', openapi.id], { env: { ...process.env, ...platform.env }, encoding: 'utf8' });
  assert.match(out, /contract: /);
  assert.match(out, /breaking: yes \(from diff\)/);
  assert.match(out, /api\/openapi\.yaml \[openapi\]/);
  assert.match(out, /breaking .*login/);
});

test.run();
