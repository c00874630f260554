// One Claude Code session, one orchestrator session: the hook and the server's auto-registration
// (registerClientSession) find the same id whichever runs first.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sessionIdFor } from '../src/app/ids.js';
import { openApp } from '../src/app/open.js';
import { registerClientSession } from '../src/app/operations/client-session.js';
import { clientProjectFromEnv, resolveProjectSession } from '../src/app/project-session.js';
import { hookJson, runHook } from './helpers/claude.js';
import { makePlatform } from './helpers/mcp.js';
import { tempDir } from './helpers/tmp.js';

const platform = makePlatform();
const { frontend, gateway } = platform.repos;

test('resolveProjectSession: the member repo holding the dir, through symlinks; null outside', async () => {
  const app = await openApp({ env: { ...process.env, ...platform.env } });
  try {
    const topology = (await (await app.topology()).load()).topology!;
    mkdirSync(join(frontend, 'src', 'app'), { recursive: true });
    assert.equal(resolveProjectSession(topology, join(frontend, 'src', 'app')), { projectGroup: 'my-platform', role: 'frontend', repoPath: frontend, alsoIn: [] });
    const link = join(tempDir('link-'), 'gw');
    symlinkSync(gateway, link);
    assert.is(resolveProjectSession(topology, link)?.role, 'gateway');
    assert.is(resolveProjectSession(topology, tempDir('elsewhere-')), null);
  } finally {
    app.close();
  }
});

test('clientProjectFromEnv needs both variables', () => {
  assert.is(clientProjectFromEnv({ CLAUDE_CODE_SESSION_ID: 'x' }), null);
  assert.equal(clientProjectFromEnv({ CLAUDE_CODE_SESSION_ID: 'x', CLAUDE_PROJECT_DIR: '/p' }), { clientSession: 'x', projectDir: '/p' });
});

test('hook first, then the server: registerClientSession adopts the session the hook registered', async () => {
  const client = 'client-hook-first';
  await runHook('session-start', hookJson('session-start', client, frontend), { ...platform.env, CLAUDE_PROJECT_DIR: frontend });
  const env = { ...process.env, ...platform.env, CLAUDE_CODE_SESSION_ID: client, CLAUDE_PROJECT_DIR: frontend };
  const app = await openApp({ env });
  try {
    const registered = await registerClientSession(app.ctx, clientProjectFromEnv(env)!);
    assert.is(registered?.sessionId, sessionIdFor('frontend', client, 'my-platform'));
    const facts = app.ctx.state.sessionsOfClient(client);
    assert.is(facts.length, 1);
    // Adopted by a heartbeat naming this process, not registered twice.
    assert.is(facts[0]!.facts.lastHeartbeat?.pid, process.pid);
  } finally {
    app.close();
  }
});

test('server first, then the hook: the hook finds the server\'s session and writes no registration', async () => {
  const client = 'client-server-first';
  const env = { ...process.env, ...platform.env, CLAUDE_CODE_SESSION_ID: client, CLAUDE_PROJECT_DIR: gateway };
  const app = await openApp({ env });
  try {
    const registered = await registerClientSession(app.ctx, clientProjectFromEnv(env)!);
    const hook = await runHook('session-start', hookJson('session-start', client, gateway), { ...platform.env, CLAUDE_PROJECT_DIR: gateway });
    assert.match(hook.json?.hookSpecificOutput?.additionalContext ?? '', `this session is ${registered!.sessionId}`);
    await app.ctx.records.refresh();
    const found = app.ctx.state.sessionsOfClient(client);
    assert.is(found.length, 1);
    assert.is(found[0]!.facts.pid, process.pid, 'the server still owns it');
  } finally {
    app.close();
  }
});

test.run();
