// Issue 12, case 7: a process killed between recording a delivery and replying lost that page for
// good (11 of 876 updates in a kill test). Now the page is noted before its record and settled once
// the reply is written; a note left by a process that is gone offers the page again to the role's
// next reader: at least once, never zero times.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getUpdates } from '../src/app/operations/get-updates.js';
import { notify } from '../src/app/operations/notify.js';
import { registerSession } from '../src/app/operations/register-session.js';
import type { PageReceipt } from '../src/app/unreplied.js';
import { appContext, clock, memoryStore, REPOS } from './helpers/app.js';
import { makePlatform, startServer } from './helpers/mcp.js';
import { tempDir } from './helpers/tmp.js';

const GROUP = 'my-platform';

/** auth notified gateway once; returns the event id and a gateway reader made by `reader(pid)`. */
async function oneUpdate() {
  const store = memoryStore();
  const time = clock();
  const dir = tempDir('orchestrator-unreplied-');
  const gone = new Set<number>();
  const context = (pid: number) => appContext(store, { clock: time, pid, gone, unrepliedDir: dir });
  const auth = context(1);
  const a = await registerSession(auth, { repoPath: REPOS.auth, projectGroup: GROUP });
  const sent = await notify(auth, { sessionId: a.sessionId, changeType: 'schema_change', summary: 'User gains refreshToken' });
  return { store, time, dir, gone, context, eventId: sent.eventId };
}

test('in-process: a page whose reply was never written is offered again once its process is gone', async () => {
  const { dir, gone, context, eventId } = await oneUpdate();
  const first = context(2);
  const g1 = await registerSession(first, { repoPath: REPOS.gateway, projectGroup: GROUP });
  let lostReceipt: PageReceipt | undefined;
  // The reply is never written: the process dies between the record and the reply.
  const page = await getUpdates(first, { sessionId: g1.sessionId }, { written: (receipt) => (lostReceipt = receipt) });
  assert.equal(page.updates.map((u) => u.id), [eventId]);
  assert.ok(lostReceipt);
  assert.is(readdirSync(dir).length, 1, 'the page is noted until its reply is written');

  // While the writer runs, its note is in flight: nobody else is offered the page.
  const other = context(3);
  const g2 = await registerSession(other, { repoPath: REPOS.gateway, projectGroup: GROUP });
  assert.equal((await getUpdates(other, { sessionId: g2.sessionId, peek: true })).updates, []);

  gone.add(2);
  const again = await getUpdates(other, { sessionId: g2.sessionId });
  assert.equal(again.updates.map((u) => u.id), [eventId], 'offered again to the role once the writer is gone');
  assert.equal(readdirSync(dir), [], 'the reply that carried it settles the lost note with its own');
  assert.equal((await getUpdates(other, { sessionId: g2.sessionId })).updates, [], 'and only once');
});

test('in-process: a page whose reply was written is never offered again', async () => {
  const { dir, gone, context } = await oneUpdate();
  const first = context(2);
  const g1 = await registerSession(first, { repoPath: REPOS.gateway, projectGroup: GROUP });
  await getUpdates(first, { sessionId: g1.sessionId }, { written: (receipt) => receipt.replied() });
  gone.add(2);
  assert.equal(existsSync(dir) ? readdirSync(dir) : [], []);
  const other = context(3);
  const g2 = await registerSession(other, { repoPath: REPOS.gateway, projectGroup: GROUP });
  assert.equal((await getUpdates(other, { sessionId: g2.sessionId })).updates, []);
});

test('in-process: a lost page is not offered to another role, nor once acknowledged', async () => {
  const { gone, context, eventId } = await oneUpdate();
  const first = context(2);
  const g1 = await registerSession(first, { repoPath: REPOS.gateway, projectGroup: GROUP });
  await getUpdates(first, { sessionId: g1.sessionId }, { written: () => {} });
  gone.add(2);
  const front = context(4);
  const f = await registerSession(front, { repoPath: REPOS.frontend, projectGroup: GROUP });
  // frontend gets the event through gateway's dependency, as its own first delivery: once.
  const ids = (await getUpdates(front, { sessionId: f.sessionId })).updates.map((u) => u.id);
  assert.equal(ids.filter((id) => id === eventId).length <= 1, true);
  const other = context(3);
  const g2 = await registerSession(other, { repoPath: REPOS.gateway, projectGroup: GROUP });
  await getUpdates(other, { sessionId: g2.sessionId, ack: [eventId], peek: true });
  assert.equal((await getUpdates(other, { sessionId: g2.sessionId })).updates, [], 'acknowledged: handled by the role');
});

test('a server killed between recording a delivery and replying: the next server offers the page again', async () => {
  const platform = makePlatform();
  const auth = await startServer(platform.env);
  const { sessionId: authId } = await auth.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.auth, projectGroup: GROUP });
  const { eventId } = await auth.call<{ eventId: string }>('notify_related_sessions', { sessionId: authId, changeType: 'schema_change', summary: 'User gains refreshToken' });

  // This server dies (SIGKILL) right after its `delivered` record is written, before it replies.
  const doomed = await startServer({ ...platform.env, CLAUDE_ORCHESTRATOR_FAILPOINT: 'delivered-before-reply' });
  const { sessionId: g1 } = await doomed.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.gateway, projectGroup: GROUP });
  const died = await doomed.client.callTool({ name: 'get_cross_project_updates', arguments: { sessionId: g1 } }).then(() => 'replied', (e: Error) => e.message);
  assert.is.not(died, 'replied', 'the failpoint killed the server before its reply');
  await doomed.close().catch(() => undefined);
  assert.is(readdirSync(join(platform.home, 'unreplied')).length, 1, 'the page it recorded is noted');

  const next = await startServer(platform.env);
  const { sessionId: g2 } = await next.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.gateway, projectGroup: GROUP });
  const got = await next.call<{ updates: { id: string }[] }>('get_cross_project_updates', { sessionId: g2 });
  assert.equal(got.updates.map((u) => u.id), [eventId], 'recorded delivered, never seen: offered again');
  // The note goes once the reply that carried it is written (just after the client has it).
  for (let i = 0; i < 50 && readdirSync(join(platform.home, 'unreplied')).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(readdirSync(join(platform.home, 'unreplied')), []);
  const after = await next.call<{ updates: unknown[] }>('get_cross_project_updates', { sessionId: g2 });
  assert.equal(after.updates, []);
  await Promise.all([next.close(), auth.close()]);
});

test.run();
