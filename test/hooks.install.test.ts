// Installing next to what people already use: an existing hook, husky, lefthook; status; the CLI.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as hooksCommands from '../src/cli/commands/hooks.js';
import { createContext } from '../src/cli/context.js';
import { run } from '../src/cli/program.js';
import { hookStatus, uninstallHook } from '../src/app/operations/git-hooks.js';
import { commitAll, install, runtimeFor, waitFor } from './helpers/hooks.js';
import { git, makePlatform, makeRepo } from './helpers/mcp.js';
import { tempDir } from './helpers/tmp.js';

const platform = makePlatform();

test('an existing post-commit hook keeps running, and comes back byte for byte on uninstall', async () => {
  const repo = platform.repos.gateway;
  const hook = join(repo, '.git', 'hooks', 'post-commit');
  const marker = join(tempDir(), 'ran');
  const original = `#!/bin/sh\necho ran >> '${marker}'\n`;
  writeFileSync(hook, original);
  chmodSync(hook, 0o750);
  const report = await install(repo, platform.home);
  assert.is(report.state, 'current');
  assert.match(readFileSync(hook, 'utf8'), '# claude-orchestrator-mcp post-commit hook v1');
  commitAll(repo, 'one');
  await waitFor('the previous hook to run', async () => existsSync(marker));
  assert.is((await hookStatus(repo, runtimeFor(platform.home))).state, 'current');

  await uninstallHook(repo);
  assert.is(readFileSync(hook, 'utf8'), original);
  assert.is(statSync(hook).mode & 0o777, 0o750);
  assert.not.ok(existsSync(`${hook}.orchestrator-saved`));
  assert.is((await hookStatus(repo, runtimeFor(platform.home))).state, 'foreign');
});

test('husky: a marked block in .husky/post-commit, removed exactly on uninstall', async () => {
  const repo = makeRepo(join(tempDir(), 'husky-repo'));
  mkdirSync(join(repo, '.husky', '_'), { recursive: true });
  git(repo, ['config', 'core.hooksPath', '.husky/_']);
  const userHook = join(repo, '.husky', 'post-commit');
  writeFileSync(userHook, 'echo existing\n');
  const report = await install(repo, platform.home);
  assert.is(report.manager, 'husky');
  assert.is(report.state, 'current');
  const text = readFileSync(userHook, 'utf8');
  assert.ok(text.startsWith('echo existing\n# >>> claude-orchestrator-mcp post-commit hook v1 >>>\n'));
  assert.ok(existsSync(join(repo, '.git', 'orchestrator', 'post-commit')));
  assert.is((await hookStatus(repo, runtimeFor(platform.home))).state, 'current');
  await uninstallHook(repo);
  assert.is(readFileSync(userHook, 'utf8'), 'echo existing\n');

  // Created by us when absent, deleted again on uninstall.
  const fresh = makeRepo(join(tempDir(), 'husky-fresh'));
  git(fresh, ['config', 'core.hooksPath', '.husky/_']);
  await install(fresh, platform.home);
  assert.ok(existsSync(join(fresh, '.husky', 'post-commit')));
  await uninstallHook(fresh);
  assert.not.ok(existsSync(join(fresh, '.husky', 'post-commit')));
});

test('lefthook and foreign core.hooksPath: refused with what to add', async () => {
  const repo = makeRepo(join(tempDir(), 'lefthook-repo'));
  const hook = join(repo, '.git', 'hooks', 'post-commit');
  writeFileSync(hook, '#!/bin/sh\n# LEFTHOOK file\nlefthook run post-commit\n');
  const report = await install(repo, platform.home);
  assert.is(report.manager, 'lefthook');
  assert.is(report.state, 'foreign');
  assert.match(report.instructions ?? '', 'lefthook.yml');
  assert.match(readFileSync(hook, 'utf8'), 'LEFTHOOK', 'their file is untouched');

  const other = makeRepo(join(tempDir(), 'hookspath-repo'));
  git(other, ['config', 'core.hooksPath', 'tools/hooks']);
  const refused = await install(other, platform.home);
  assert.is(refused.manager, 'hooksPath');
  assert.match(refused.instructions ?? '', 'tools/hooks/post-commit');
});

test('the CLI: hooks install, status and uninstall for every member of a group', async () => {
  let out = '';
  const ctx = () => createContext({ env: { ...process.env, ...platform.env }, io: { stdout: (t) => (out += t), stderr: () => {} } });
  assert.is(await run(['hooks', 'install', '--group', 'my-platform', '--json'], ctx(), [hooksCommands]), 0);
  const installed = JSON.parse(out) as { repos: Array<{ state: string }> };
  assert.equal(installed.repos.map((r) => r.state), ['current', 'current', 'current']);
  out = '';
  assert.is(await run(['hooks', 'status'], ctx(), [hooksCommands]), 0);
  assert.is(out.trim().split('\n').filter((l) => l.endsWith(': installed')).length, 3, out);
  out = '';
  assert.is(await run(['hooks', 'uninstall', platform.repos.frontend], ctx(), [hooksCommands]), 0);
  out = '';
  await run(['hooks', 'status', platform.repos.frontend], ctx(), [hooksCommands]);
  assert.match(out, ': not installed');
});

test('member add --install-hooks adds the member and installs its hook', async () => {
  const repo = makeRepo(join(tempDir(), 'catalog'));
  let out = '';
  const ctx = createContext({ env: { ...process.env, ...platform.env }, io: { stdout: (t) => (out += t), stderr: () => {} } });
  const memberCommands = await import('../src/cli/commands/member.js');
  assert.is(await run(['member', 'add', 'my-platform', repo, '--role', 'catalog', '--depends-on', 'auth', '--install-hooks', '--json'], ctx, [memberCommands]), 0);
  const result = JSON.parse(out) as { added: boolean; hooks: string };
  assert.ok(result.added);
  assert.is(result.hooks, 'current');
  assert.is((await hookStatus(repo, runtimeFor(platform.home))).state, 'current');
});

test.run();
