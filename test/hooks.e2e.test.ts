// End to end: gateway and frontend sessions (real MCP servers) learn of auth's commits through
// the hook alone, with no tool call by auth.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commitAll, install, waitFor } from './helpers/hooks.js';
import { makePlatform, startServer, type Server } from './helpers/mcp.js';

interface Update { fromRole: string; changeType: string; changeTypes?: string[]; priority: string; commit?: string; files?: string[] }

const platform = makePlatform();
const servers: Server[] = [];
test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

test('a schema commit in auth reaches gateway and frontend; feat! reaches them as breaking', async () => {
  await install(platform.repos.auth, platform.home);
  const sessions = await Promise.all((['gateway', 'frontend'] as const).map(async (role) => {
    const server = await startServer(platform.env);
    servers.push(server);
    const { sessionId } = await server.call<{ sessionId: string }>('register_session', { repoPath: platform.repos[role], projectGroup: 'my-platform' });
    return { server, sessionId };
  }));
  const poll = (s: { server: Server; sessionId: string }) => waitFor('an update', async () => {
    const got = await s.server.call<{ updates: Update[] }>('get_cross_project_updates', { sessionId: s.sessionId });
    return got.updates.length ? got.updates : undefined;
  }, 10_000, 20);

  mkdirSync(join(platform.repos.auth, 'prisma'));
  writeFileSync(join(platform.repos.auth, 'prisma', 'schema.prisma'), 'model User { id Int }\n');
  const sha = commitAll(platform.repos.auth, 'Add User model');
  const started = Date.now();
  const received = await Promise.all(sessions.map(poll));
  const latency = Date.now() - started;
  for (const updates of received) {
    assert.is(updates.length, 1);
    assert.is(updates[0]!.fromRole, 'auth');
    assert.is(updates[0]!.changeType, 'schema_change');
    assert.is(updates[0]!.commit, sha);
    assert.equal(updates[0]!.files, ['prisma/schema.prisma']);
  }
  // The target is one second; a loaded CI machine gets some slack.
  assert.ok(latency < 5000, `took ${latency} ms`);

  writeFileSync(join(platform.repos.auth, 'token.ts'), 'export {}\n');
  const breaking = commitAll(platform.repos.auth, 'feat!: drop session cookies');
  for (const updates of await Promise.all(sessions.map(poll))) {
    assert.is(updates[0]!.commit, breaking);
    assert.ok((updates[0]!.changeTypes ?? [updates[0]!.changeType]).includes('breaking_change'));
    assert.is(updates[0]!.priority, 'critical');
  }
});

test.run();
