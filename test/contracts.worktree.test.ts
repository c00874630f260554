// Contract diffs of an explicit notify_related_sessions with files: the working tree against HEAD
// (src/app/operations/notify.ts), end to end: real member repos, an uncommitted edit, the sender's
// and the reader's servers over stdio (the SDK client), the full diff through `log --show`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLI_ENTRY, git, makePlatform, startServer, type Server } from './helpers/mcp.js';

interface Update { id: string; changeTypes: string[]; priority: string; summary: string; commit?: string; contract?: string }
interface Details {
  contract: {
    digest: string; breaking: boolean; breakingFrom: string[]; compared: string; base?: string;
    files: Array<{ path: string; format: string | null; changes?: Array<{ severity: string; where: string; message: string }> }>;
  } | null;
}

const platform = makePlatform({ CLAUDE_ORCHESTRATOR_WATCH: '0' });
const { auth, gateway } = platform.repos;
let authServer: Server;
let gatewayServer: Server;
let authSession = '';
let gatewaySession = '';

const OPENAPI = `openapi: 3.0.3
info: { title: auth, version: "1" }
paths:
  /v1/users/{id}:
    get:
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200": { description: a user }
  /v1/login:
    delete:
      responses:
        "204": { description: logged out }
`;
const LOGIN = /  \/v1\/login:\n    delete:\n      responses:\n        "204": \{ description: logged out \}\n/;

test.before(async () => {
  mkdirSync(join(auth, 'api'), { recursive: true });
  writeFileSync(join(auth, 'api/openapi.yaml'), OPENAPI);
  git(auth, ['add', '-A']);
  git(auth, ['commit', '-qm', 'the auth API']);
  authServer = await startServer(platform.env);
  gatewayServer = await startServer(platform.env);
  authSession = (await authServer.call<{ sessionId: string }>('register_session', { repoPath: auth, projectGroup: 'my-platform' })).sessionId;
  gatewaySession = (await gatewayServer.call<{ sessionId: string }>('register_session', { repoPath: gateway, projectGroup: 'my-platform' })).sessionId;
});

test.after(async () => {
  await authServer?.close();
  await gatewayServer?.close();
});

test('an endpoint removed in the working tree, announced with its file, reaches gateway as breaking_change with the digest', async () => {
  const head = git(auth, ['rev-parse', 'HEAD']).trim();
  writeFileSync(join(auth, 'api/openapi.yaml'), OPENAPI.replace(LOGIN, ''));
  const sent = await authServer.call<{ eventId: string; notifiedRoles: string[]; priority: string }>('notify_related_sessions', {
    sessionId: authSession, changeType: 'api_endpoint_change', summary: 'Logout moves to /v2', files: ['api/openapi.yaml'],
  });
  assert.ok(sent.notifiedRoles.includes('gateway'), sent.notifiedRoles.join());
  assert.is(sent.priority, 'critical');
  const { updates } = await gatewayServer.call<{ updates: Update[] }>('get_cross_project_updates', { sessionId: gatewaySession, limit: 100 });
  const update = updates.find((u) => u.id === sent.eventId);
  assert.ok(update, `gateway reads the update: ${JSON.stringify(updates)}`);
  assert.ok(update!.changeTypes.includes('breaking_change'), update!.changeTypes.join());
  assert.ok(update!.changeTypes.includes('api_endpoint_change'), 'the announced type stays');
  assert.is(update!.priority, 'critical');
  assert.is(update!.commit, undefined, 'not a commit');
  assert.ok(update!.contract, 'the update carries a digest');
  assert.match(update!.contract!, /DELETE \/v1\/login/);
  assert.match(update!.contract!, /\(breaking\)/);
  assert.ok(Buffer.byteLength(update!.contract!) <= 400);
  // The full diff: the working tree against HEAD, breaking from the diff (the message said nothing).
  const full = JSON.parse(execFileSync(process.execPath, [CLI_ENTRY, 'log', '--show', sent.eventId, '--json'], {
    env: { ...process.env, ...platform.env }, encoding: 'utf8',
  })) as Details;
  assert.is(full.contract!.compared, 'working-tree');
  assert.is(full.contract!.base, head);
  assert.equal(full.contract!.breakingFrom, ['diff']);
  assert.is(full.contract!.files[0]!.path, 'api/openapi.yaml');
  assert.is(full.contract!.files[0]!.format, 'openapi');
  assert.ok(full.contract!.files[0]!.changes!.some((c) => c.severity === 'breaking' && /login/.test(c.where + c.message)), JSON.stringify(full.contract));
  // Nothing was committed on auth's behalf.
  assert.is(git(auth, ['rev-parse', 'HEAD']).trim(), head);
  assert.match(git(auth, ['status', '--porcelain']), /M api\/openapi\.yaml/);
});

test('the same change once committed: a clean tree compares HEAD with its parent instead', async () => {
  git(auth, ['commit', '-qam', 'drop DELETE /v1/login']);
  const parent = git(auth, ['rev-parse', 'HEAD~1']).trim();
  const sent = await authServer.call<{ eventId: string }>('notify_related_sessions', {
    sessionId: authSession, changeType: 'api_endpoint_change', summary: 'Logout moved to /v2 (committed)', files: ['api/openapi.yaml'],
  });
  const { updates } = await gatewayServer.call<{ updates: Update[] }>('get_cross_project_updates', { sessionId: gatewaySession, limit: 100 });
  const update = updates.find((u) => u.id === sent.eventId);
  assert.ok(update, 'gateway reads the update');
  assert.ok(update!.changeTypes.includes('breaking_change'), update!.changeTypes.join());
  assert.match(update!.contract!, /DELETE \/v1\/login/);
  const full = JSON.parse(execFileSync(process.execPath, [CLI_ENTRY, 'log', '--show', sent.eventId, '--json'], {
    env: { ...process.env, ...platform.env }, encoding: 'utf8',
  })) as Details;
  assert.is(full.contract!.compared, 'commit');
  assert.is(full.contract!.base, parent);
});

test.run();
