// Two machines sharing a bare remote over a file path: records, deliveries, sync points and the topology.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { cli, cliJson } from './helpers/cli.js';
import { fsckClean, makeMachines, sync } from './helpers/machines.js';
import type { Server } from './helpers/mcp.js';
import { shareScenario } from './helpers/share-scenario.js';

const servers: Server[] = [];
test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

test('two machines over a file remote: updates, sync points and topology edits meet', async () => {
  const m = makeMachines();
  await shareScenario(m, m.bare, m.bare, servers);
  fsckClean(m.bare);
  fsckClean(join(m.homeA, 'coordination.git'));
  fsckClean(join(m.homeB, 'coordination.git'));
  const log = await cliJson<{ entries: Array<{ kind: string; ref: string; summary: string }> }>(m.b, ['log', '-n', '50']);
  assert.ok(log.entries.some((e) => e.kind === 'event' && e.ref.startsWith('refs/remotes/origin/') && e.summary.includes('fullName')), 'B logs A\'s event from the remote copy');
});

test('an unreachable remote fails the sync, is reported in status, and the next sync recovers', async () => {
  const m = makeMachines();
  await cliJson(m.a, ['remote', 'add', 'origin', join(m.bare, 'missing.git')]);
  const failed = await sync(m.a, true);
  assert.not.ok(failed.ok);
  assert.ok(failed.error && failed.error.length > 0);
  const status = await cliJson<{ remotes: Array<{ name: string; ok: boolean; error: string; failures: number }> }>(m.a, ['status'], true);
  assert.is((await cli(m.a, ['status'])).code, 1, 'a failed sync is a problem status lists: exit 1');
  assert.is(status.remotes[0]!.ok, false);
  assert.is(status.remotes[0]!.failures, 1);
  await cliJson(m.a, ['remote', 'remove', 'origin']);
  await cliJson(m.a, ['remote', 'add', 'origin', m.bare]);
  assert.ok((await sync(m.a)).ok);
});

test.run();
