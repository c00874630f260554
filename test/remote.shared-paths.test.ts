// Issue 12, case 9: a member path redirected by a remote made `hooks install` write a hook into a
// repository the user never named. Paths that arrive only in a remote's topology are noted, and a
// bulk install skips them (saying how to confirm one) until the user names them on this machine.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cliJson } from './helpers/cli.js';
import { makeMachines, sync } from './helpers/machines.js';
import { makeRepo } from './helpers/mcp.js';
import { tempDir } from './helpers/tmp.js';

interface Installed {
  repos: Array<{ repo: string; state: string; message: string }>;
}

const hookOf = (repo: string) => join(repo, '.git', 'hooks', 'post-commit');

test('hooks install skips member paths only a remote named, until they are named here', async () => {
  const m = makeMachines();
  const { auth, gateway, frontend } = m.platform.repos;
  await cliJson(m.a, ['remote', 'add', 'origin', m.bare]);
  await cliJson(m.b, ['remote', 'add', 'origin', m.bare]);
  assert.ok((await sync(m.a)).ok);
  assert.ok((await sync(m.b)).ok);

  // A's hook is in frontend (another home on this disk): B must not take it over in bulk.
  assert.is((await cliJson<Installed>(m.a, ['hooks', 'install', frontend])).repos[0]!.state, 'current');
  const aHook = readFileSync(hookOf(frontend), 'utf8');

  // B never named any of these paths: its topology came from the remote.
  const bulk = await cliJson<Installed>(m.b, ['hooks', 'install']);
  assert.equal(bulk.repos.map((r) => r.state), ['skipped', 'skipped', 'skipped']);
  assert.match(bulk.repos[0]!.message, /came with origin's topology.*hooks install /);
  for (const repo of [auth, gateway]) assert.not.ok(existsSync(hookOf(repo)), `no hook written into ${repo}`);
  assert.is(readFileSync(hookOf(frontend), 'utf8'), aHook, "A's hook is left as it was");

  // Naming one confirms it; the next bulk install keeps it current and still skips the others.
  const named = await cliJson<Installed>(m.b, ['hooks', 'install', auth]);
  assert.is(named.repos[0]!.state, 'current');
  const again = await cliJson<Installed>(m.b, ['hooks', 'install']);
  assert.equal(again.repos.map((r) => [r.repo, r.state]), [[auth, 'current'], [gateway, 'skipped'], [frontend, 'skipped']]);

  // A remote redirects frontend's path to a repository B's user never named.
  const victim = makeRepo(join(tempDir('orchestrator-victim-'), 'private'));
  await cliJson(m.a, ['member', 'remove', 'my-platform', 'frontend']);
  await cliJson(m.a, ['member', 'add', 'my-platform', victim, '--role', 'frontend', '--depends-on', 'gateway']);
  assert.ok((await sync(m.a)).ok);
  assert.ok((await sync(m.b)).ok);
  const redirected = await cliJson<Installed>(m.b, ['hooks', 'install']);
  const row = redirected.repos.find((r) => r.repo === victim);
  assert.is(row?.state, 'skipped', JSON.stringify(redirected.repos));
  assert.not.ok(existsSync(hookOf(victim)), 'nothing written into the redirected path');

  // On A, where the paths were named, a bulk install installs everywhere.
  const onA = await cliJson<Installed>(m.a, ['hooks', 'install']);
  assert.ok(onA.repos.every((r) => r.state === 'current'), JSON.stringify(onA.repos));
});

test.run();
