// hooks/claude-hook: the shell launcher Claude Code runs. It must answer "still nothing" without
// node exactly when the node hook would, and hand everything else to node unchanged.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HOOK_ENTRY, hookJson } from './helpers/claude.js';
import { makePlatform, startServer } from './helpers/mcp.js';
import { tempDir } from './helpers/tmp.js';

const LAUNCHER = resolve('hooks/claude-hook');
const platform = makePlatform();
const { frontend, auth } = platform.repos;
const CLIENT = 'launcher-client-0001';
const env = { PATH: process.env.PATH ?? '', ...platform.env, CLAUDE_PROJECT_DIR: frontend };

// A stand-in for node that notes it was started, then runs the real node.
const marker = join(tempDir(), 'node-started');
const fakeNode = join(tempDir(), 'node');
writeFileSync(fakeNode, `#!/bin/sh\necho started >> '${marker}'\nexec '${process.execPath}' "$@"\n`);
chmodSync(fakeNode, 0o755);

function launch(event: 'session-start' | 'user-prompt-submit' | 'post-tool-use', input = hookJson(event, CLIENT, frontend)) {
  rmSync(marker, { force: true });
  const r = spawnSync('sh', [LAUNCHER, fakeNode, HOOK_ENTRY, event], { input: JSON.stringify(input), encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, nodeStarted: existsSync(marker) };
}

test('nothing new and no ref moved: answered without node; anything else goes to node', async () => {
  const server = await startServer(platform.env);
  const a = await server.call<{ sessionId: string }>('register_session', { repoPath: auth, projectGroup: 'my-platform' });
  const start = launch('session-start');
  assert.is(start.code, 0);
  assert.ok(start.nodeStarted);
  assert.match(start.stdout, 'SessionStart');

  // The first quiet prompt is node's (it writes the stamp); the next one needs no node.
  const first = launch('user-prompt-submit');
  assert.is(first.stdout, '');
  assert.ok(first.nodeStarted);
  const second = launch('user-prompt-submit');
  assert.is([second.code, second.stdout, second.nodeStarted].join('|'), '0||false');

  // Another session writes: a ref moved, so node looks, and shows the update.
  try {
    await server.call('notify_related_sessions', { sessionId: a.sessionId, changeType: 'schema_change', summary: 'Renamed user.name to user.fullName' });
  } finally {
    await server.close();
  }
  const moved = launch('user-prompt-submit');
  assert.ok(moved.nodeStarted);
  assert.match(moved.stdout, 'Renamed user.name to user.fullName');
});

test('input it cannot read safely goes to node', () => {
  const odd = launch('post-tool-use', hookJson('post-tool-use', 'weird id/with slash', frontend));
  assert.is(odd.code, 0);
  assert.ok(odd.nodeStarted);
});

test('a 10 MB input is read only as far as 1 MiB; the fields at its start still reach node', async () => {
  const server = await startServer(platform.env);
  try {
    const a = await server.call<{ sessionId: string }>('register_session', { repoPath: auth, projectGroup: 'my-platform' });
    await server.call('notify_related_sessions', { sessionId: a.sessionId, changeType: 'schema_change', summary: 'Dropped user.nickname' });
  } finally {
    await server.close();
  }
  const big = hookJson('post-tool-use', CLIENT, frontend, { tool_input: { file_path: '/path/to/big.txt', content: 'x'.repeat(10 * 1024 * 1024) } });
  const shown = launch('post-tool-use', big);
  assert.is(shown.code, 0);
  assert.ok(shown.nodeStarted);
  assert.match(shown.stdout, 'Dropped user.nickname');
});

test.run();
