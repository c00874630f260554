// A server that had to fold many records no checkpoint held asks a short-lived process to write
// one in the background (it never writes one itself), so the next server starts from it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointFile } from '../src/app/checkpoint.js';
import { acquireFileLock } from '../src/config/files.js';
import { GitStore, sessionRef } from '../src/store/index.js';
import { cli, cliJson } from './helpers/cli.js';
import { waitFor } from './helpers/hooks.js';
import { makePlatform, startServer } from './helpers/mcp.js';
import { heartbeat, registered } from './helpers/records.js';

test('a server that read 1,200 records with no checkpoint gets one written in the background', async () => {
  const platform = makePlatform();
  const gitDir = join(platform.home, 'coordination.git');
  const store = await GitStore.open(gitDir, { maintenance: false });
  const at = Date.now() - 60_000;
  await store.append(sessionRef('auth-old'), [registered({ group: 'my-platform', role: 'auth', session: 'auth-old', at, repoPath: '/a', host: 'h', pid: 1 })]);
  await store.append(sessionRef('auth-old'), Array.from({ length: 1_200 }, () => heartbeat({ group: 'my-platform', role: 'auth', session: 'auth-old', at })));
  const file = checkpointFile(platform.home, store.location);
  store.close();
  assert.not.ok(existsSync(file));

  const server = await startServer(platform.env);
  try {
    const seen = await server.call<{ sessions: Array<{ sessionId: string }> }>('list_group_sessions', { projectGroup: 'my-platform' });
    assert.ok(seen.sessions.some((s) => s.sessionId === 'auth-old'));
    await waitFor('the checkpoint', async () => (existsSync(file) ? true : null), 15_000);
  } finally {
    await server.close();
  }
  // Written, and holds what the server read: nothing left to fold.
  const again = await cliJson<{ written: boolean; commitsRead: number; busy: string | null }>(platform.env, ['checkpoint']);
  assert.equal(again, { ...again, written: false, busy: null });
  assert.ok(again.commitsRead < 1_000, `${again.commitsRead} commits not in the checkpoint`);
});

test('checkpoint: one writer at a time; the command says when another holds the lock', async () => {
  const platform = makePlatform();
  (await GitStore.open(join(platform.home, 'coordination.git'), { maintenance: false })).close();
  const lock = await acquireFileLock(join(platform.home, 'cache', 'checkpoint.lock'), { staleMs: 60_000, what: 'the checkpoint' });
  assert.ok('held' in lock);
  const busy = await cliJson<{ busy: string | null; written: boolean }>(platform.env, ['checkpoint']);
  assert.ok(busy.busy !== null && !busy.written, JSON.stringify(busy));
  await lock.held.release();
  assert.is((await cliJson<{ busy: string | null }>(platform.env, ['checkpoint'])).busy, null);
});

test('checkpoint: a home with no coordination repo gets its error, and nothing is left there', async () => {
  const home = join(makePlatform().home, 'elsewhere');
  const run = await cli({ CLAUDE_ORCHESTRATOR_HOME: home }, ['checkpoint']);
  assert.is(run.code, 1);
  assert.match(run.stderr, /no coordination repo at .*claude-orchestrator init/);
  assert.not.ok(existsSync(home), 'no cache folder made');
});

test.run();
