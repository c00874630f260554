// The real Claude Code (from npm, in a temp HOME): after `setup claude-code`, `claude mcp list`
// reports our server connected, and Claude Code's settings hold our hooks beside earlier ones.
// Claude Code is the pinned version of helpers/claude-code.ts, installed once into .cache/claude-code
// and shared with claude.e2e.test.ts; when it cannot be installed the test says why and skips.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as claudeCommands from '../src/cli/commands/claude.js';
import { createContext } from '../src/cli/context.js';
import { COMMAND_MODULES, run } from '../src/cli/program.js';
import { makePlatform } from './helpers/mcp.js';
import { CLAUDE_BIN as CLAUDE, ensureClaudeCode, skipLine } from './helpers/claude-code.js';

const run$ = promisify(execFile);

test('setup claude-code: claude mcp list shows the server connected; settings keep earlier hooks', async () => {
  const skip = await ensureClaudeCode();
  if (skip) return skipLine('claude.setup', skip);
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
