// A hostile or careless remote (issue 12): what arrives by fetch is checked before it is believed.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, cliJson } from './helpers/cli.js';
import { fsckClean, makeMachines, sync } from './helpers/machines.js';

function gitIn(gitDir: string, args: string[], input?: string): string {
  return execFileSync('git', [`--git-dir=${gitDir}`, ...args], { encoding: 'utf8', ...(input !== undefined ? { input } : {}) }).trim();
}

/** Pushes (by writing into the bare remote) a topology commit with `text` on top of the remote's. */
function forgeTopology(bare: string, text: string): void {
  const parent = gitIn(bare, ['rev-parse', 'refs/orchestrator/topology']);
  const blob = gitIn(bare, ['hash-object', '-w', '--stdin'], text);
  const tree = gitIn(bare, ['mktree'], `100644 blob ${blob}\ttopology.yml\n`);
  const record = { v: 1, kind: 'topology', id: 'forged-topology', group: '*', role: 'topology', at: Date.now(), clock: 999, action: 'forged' };
  const commit = gitIn(bare, ['commit-tree', tree, '-p', parent, '-m', `forged\n\nOrchestrator-Record: ${JSON.stringify(record)}\n`]);
  gitIn(bare, ['update-ref', 'refs/orchestrator/topology', commit]);
}

test('case 9: an invalid topology arriving by fast-forward is not adopted; status shows it', async () => {
  const m = makeMachines();
  await cli(m.a, ['remote', 'add', 'origin', m.bare]);
  assert.ok((await sync(m.a)).ok);
  const before = readFileSync(join(m.homeA, 'topology.yml'), 'utf8');
  forgeTopology(m.bare, 'groups: [unclosed\n');
  const result = await sync(m.a);
  assert.is(result.topology, 'conflict');
  assert.match(result.conflict!.reason, /invalid/);
  assert.is(readFileSync(join(m.homeA, 'topology.yml'), 'utf8'), before, 'topology.yml kept');
  const shown = await cli(m.a, ['validate']);
  assert.is(shown.code, 0, shown.stdout + shown.stderr);
  const status = await cliJson<{ conflicts: Array<{ remote: string }> }>(m.a, ['status', 'my-platform'], true);
  assert.equal(status.conflicts.map((c) => c.remote), ['origin']);
  fsckClean(join(m.homeA, 'coordination.git'));
});

test('case 6: a 5 MB topology is refused by size, fast', async () => {
  const m = makeMachines();
  const file = join(m.homeA, 'topology.yml');
  writeFileSync(file, `${readFileSync(file, 'utf8')}\n# ${'x'.repeat(5 * 1024 * 1024)}\n`);
  const started = Date.now();
  const run = await cli(m.a, ['validate']);
  assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  assert.is.not(run.code, 0);
  assert.match(run.stdout + run.stderr, /at most 262144/);
});

test.run();
