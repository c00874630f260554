// The packed tarball installs as the README says: `npm pack`, `npm install -g <tarball>`, then
// `claude-orchestrator init` and `claude-orchestrator-mcp` from PATH, outside the clone.
// Installs the package's runtime dependencies from the npm registry (or npm's cache) into a
// temporary prefix: about 10-30 s.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstAnswer } from './helpers/stdio.js';
import { tempDir } from './helpers/tmp.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string; license: string };
const work = tempDir('orchestrator-pack-');
const prefix = join(work, 'prefix');
const home = join(work, 'home');
const env = { ...process.env, HOME: home, PATH: `${join(prefix, 'bin')}${delimiter}${process.env.PATH ?? ''}` };
let tarball = '';

test('npm pack ships dist, hooks, docs, README and LICENSE', async () => {
  // --ignore-scripts: `prepare` would rebuild dist/ under the other test files running now.
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { timeout: 120_000 });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, packed!.filename);
  const files = packed!.files.map((f) => f.path);
  for (const path of ['LICENSE', 'README.md', 'dist/index.js', 'dist/cli/main.js', 'hooks/post-commit', 'docs/architecture.md', 'docs/claude-code.md']) {
    assert.ok(files.includes(path), `${path} in the tarball`);
  }
  assert.not.ok(files.some((f) => f.startsWith('test/') || f.startsWith('src/')), 'no tests or sources');
  assert.match(readFileSync('LICENSE', 'utf8'), /^MIT License/);
  assert.is(pkg.license, 'MIT');
  // Every link the README makes to docs/ resolves inside the package.
  for (const [, link] of readFileSync('README.md', 'utf8').matchAll(/\]\((docs\/[^)#]+)/g)) assert.ok(files.includes(link!), `${link} linked from README`);
});

test('npm install -g <tarball>: claude-orchestrator init, then claude-orchestrator-mcp answers', async () => {
  assert.ok(tarball, 'packed');
  await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', tarball], { env, timeout: 300_000 });
  assert.ok(existsSync(join(prefix, 'bin', 'claude-orchestrator')));
  assert.ok(existsSync(join(prefix, 'bin', 'claude-orchestrator-mcp')));

  // From a folder that is not the clone, by the names the README uses.
  const { stdout } = await run('claude-orchestrator', ['init'], { env, cwd: work, timeout: 60_000 });
  assert.match(stdout, /topology/i);
  assert.ok(existsSync(join(home, '.config', 'claude-orchestrator', 'topology.yml')), 'init wrote the topology under ~/.config');

  const answer = await firstAnswer('claude-orchestrator-mcp', [], env, work);
  assert.is(answer.startsWith('{'), true, answer);
  const message = JSON.parse(answer) as { jsonrpc: string; id: number; result: { serverInfo: { name: string } } };
  assert.is(message.jsonrpc, '2.0');
  assert.is(message.id, 1);
  assert.ok(message.result.serverInfo.name);
});

test.run();
