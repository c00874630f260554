// The real Claude Code (from npm, in a temp HOME): after `setup claude-code`, `claude mcp list`
// reports our server connected, and Claude Code's settings hold our hooks beside earlier ones.
// The install (about 30 s, from the npm registry) is cached under node_modules/.cache by version.
// CLAUDE_CODE_TEST=skip skips it (no network).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as claudeCommands from '../src/cli/commands/claude.js';
import { createContext } from '../src/cli/context.js';
import { COMMAND_MODULES, run } from '../src/cli/program.js';
import { makePlatform } from './helpers/mcp.js';

const VERSION = '2.1.331';
const CACHE = resolve('node_modules/.cache', `claude-code-${VERSION}`);
const CLAUDE = join(CACHE, 'node_modules', '.bin', 'claude');
const run$ = promisify(execFile);

function installedVersion(): string | null {
  if (!existsSync(CLAUDE)) return null;
  try {
    return execFileSync(CLAUDE, ['--version'], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', HOME: CACHE } }).trim();
  } catch {
    return null;
  }
}

async function ensureClaudeCode(): Promise<void> {
  if (installedVersion()?.startsWith(VERSION)) return;
  mkdirSync(CACHE, { recursive: true });
  const started = Date.now();
  await run$('npm', ['install', '--prefix', CACHE, `@anthropic-ai/claude-code@${VERSION}`, '--no-audit', '--no-fund', '--loglevel=error'], { timeout: 300_000 });
  console.log(`  installed Claude Code ${VERSION} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.ok(installedVersion()?.startsWith(VERSION), `claude --version after npm install: ${installedVersion()}`);
}

test('setup claude-code: claude mcp list shows the server connected; settings keep earlier hooks', async () => {
  if (process.env.CLAUDE_CODE_TEST === 'skip') return;
  await ensureClaudeCode();
  const platform = makePlatform();
  const home = platform.env.HOME!;
  const earlier = { hooks: { Stop: [{ hooks: [{ type: 'command', command: '~/bin/notify-done.sh' }] }] } };
  mkdirSync(join(home, '.claude'), { recursive: true });
  writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify(earlier));

  let err = '';
  const ctx = createContext({ env: { ...platform.env }, cwd: platform.repos.frontend, io: { stdout: () => {}, stderr: (t) => (err += t) } });
  const modules = COMMAND_MODULES.includes(claudeCommands) ? COMMAND_MODULES : [...COMMAND_MODULES, claudeCommands];
  assert.is(await run(['setup', 'claude-code', '--scope', 'user'], ctx, modules), 0, err);

  const env = { PATH: process.env.PATH ?? '', ...platform.env };
  const { stdout } = await run$(CLAUDE, ['mcp', 'list'], { cwd: platform.repos.frontend, env, timeout: 60_000 });
  assert.match(stdout, /claude-orchestrator: .*dist\/index\.js.* - ✔ Connected/, stdout);

  const settings = JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8'));
  assert.equal(settings.hooks.Stop[0], earlier.hooks.Stop[0]);
  assert.match(settings.hooks.Stop[1].hooks[0].command, /hook-main\.js stop$/);
  for (const event of ['SessionStart', 'UserPromptSubmit', 'PostToolUse']) assert.ok(settings.hooks[event], event);

  // Claude Code reads back what it would run for the server.
  const { stdout: got } = await run$(CLAUDE, ['mcp', 'get', 'claude-orchestrator'], { cwd: platform.repos.frontend, env, timeout: 60_000 });
  assert.match(got, /Scope: User/i);
});

test.run();
