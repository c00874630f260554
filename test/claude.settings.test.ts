// `setup claude-code`: merging into Claude Code's files without clobbering, idempotent, undone by
// --uninstall. Through the real CLI program (in-process) on temp files.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isOurHandler, mergeHooks, setupClaudeCode, type Runtime } from '../src/claude-hooks/setup.js';
import * as claudeCommands from '../src/cli/commands/claude.js';
import { createContext } from '../src/cli/context.js';
import { COMMAND_MODULES, run } from '../src/cli/program.js';
import { tempDir } from './helpers/tmp.js';

const runtime: Runtime = { node: '/usr/bin/node', server: '/opt/co/dist/index.js', hook: '/opt/co/dist/claude-hooks/hook-main.js', launcher: '/opt/co/hooks/claude-hook' };
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

const foreign = {
  model: 'opus',
  hooks: {
    PostToolUse: [{ matcher: 'Write|Edit', hooks: [{ type: 'command', command: 'npx prettier --write "$FILE"' }] }],
    Stop: [{ hooks: [{ type: 'command', command: '~/bin/notify-done.sh' }] }],
  },
};

async function cli(argv: string[], env: Record<string, string>, cwd: string) {
  let out = '';
  let err = '';
  const ctx = createContext({ env, cwd, io: { stdout: (t) => (out += t), stderr: (t) => (err += t) } });
  const modules = COMMAND_MODULES.includes(claudeCommands) ? COMMAND_MODULES : [...COMMAND_MODULES, claudeCommands];
  const code = await run(argv, ctx, modules);
  return { code, out, err };
}

test('mergeHooks adds ours beside foreign hooks, replaces ours in place, and removes only ours', () => {
  const once = mergeHooks(foreign, runtime);
  assert.ok(once.changed);
  const hooks = once.settings.hooks as Record<string, Array<{ matcher?: string; hooks: Array<{ command: string }> }>>;
  assert.equal(Object.keys(hooks).sort(), ['PostToolUse', 'SessionStart', 'Stop', 'UserPromptSubmit']);
  assert.equal(hooks.PostToolUse![0], foreign.hooks.PostToolUse[0]);
  assert.is(hooks.PostToolUse![1]!.matcher, '*');
  assert.is(hooks.Stop![1]!.hooks[0]!.command, 'sh /opt/co/hooks/claude-hook /usr/bin/node /opt/co/dist/claude-hooks/hook-main.js stop');
  assert.is(once.settings.model, 'opus');

  assert.not.ok(mergeHooks(once.settings, runtime).changed, 'idempotent');
  const moved = mergeHooks(once.settings, { ...runtime, hook: '/new place/hook-main.js' });
  assert.ok(moved.changed);
  const movedStop = (moved.settings.hooks as typeof hooks).Stop!;
  assert.is(movedStop.length, 2);
  assert.is(movedStop[1]!.hooks[0]!.command, "sh /opt/co/hooks/claude-hook /usr/bin/node '/new place/hook-main.js' stop");
  assert.ok(isOurHandler(movedStop[1]!.hooks[0]));

  const removed = mergeHooks(moved.settings, null);
  assert.equal(removed.settings, foreign);
});

test('setup claude-code --scope user: server in ~/.claude.json, hooks in ~/.claude/settings.json, idempotent, --uninstall', async () => {
  const home = tempDir('claude-home-');
  const project = tempDir('claude-project-');
  const claudeJson = { numStartups: 3, mcpServers: { other: { type: 'stdio', command: 'other-server', args: [], env: {} } }, projects: { '/x': { allowedTools: [] } } };
  writeFileSync(join(home, '.claude.json'), JSON.stringify(claudeJson));
  mkdirSync(join(home, '.claude'));
  writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify(foreign));
  const env = { HOME: home };

  const first = await cli(['setup', 'claude-code'], env, project);
  assert.is(first.code, 0, first.err);
  assert.match(first.out, `updated: mcp server in ${join(home, '.claude.json')}`);
  const written = readJson(join(home, '.claude.json'));
  assert.is(written.numStartups, 3);
  assert.equal(written.projects, claudeJson.projects);
  assert.equal(Object.keys(written.mcpServers), ['other', 'claude-orchestrator']);
  assert.is(written.mcpServers['claude-orchestrator'].type, 'stdio');
  assert.match(written.mcpServers['claude-orchestrator'].args.at(-1), /dist\/index\.js$/);
  const settings = readJson(join(home, '.claude', 'settings.json'));
  assert.equal(settings.hooks.PostToolUse[0], foreign.hooks.PostToolUse[0]);
  assert.match(settings.hooks.UserPromptSubmit[0].hooks[0].command, /dist\/claude-hooks\/hook-main\.js user-prompt-submit$/);

  const second = await cli(['setup', 'claude-code', '--scope', 'user'], env, project);
  assert.is(second.code, 0);
  assert.match(second.out, 'unchanged: mcp server');
  assert.match(second.out, 'unchanged: hooks');

  const gone = await cli(['setup', 'claude-code', '--uninstall'], env, project);
  assert.is(gone.code, 0, gone.err);
  assert.equal(readJson(join(home, '.claude.json')), claudeJson);
  assert.equal(readJson(join(home, '.claude', 'settings.json')), foreign);
});

test('setup claude-code --scope project writes .mcp.json and .claude/settings.json in the project', async () => {
  const home = tempDir('claude-home-');
  const project = tempDir('claude-project-');
  const r = await cli(['setup', 'claude-code', '--scope', 'project', '--json'], { HOME: home }, project);
  assert.is(r.code, 0, r.err);
  assert.is(readJson(join(project, '.mcp.json')).mcpServers['claude-orchestrator'].type, 'stdio');
  assert.ok(readJson(join(project, '.claude', 'settings.json')).hooks.SessionStart);
  assert.not.ok(existsSync(join(home, '.claude.json')));
  assert.is(JSON.parse(r.out).scope, 'project');
});

test('a settings file that is not JSON: an error that says what to do, and nothing written', async () => {
  const home = tempDir('claude-home-');
  mkdirSync(join(home, '.claude'));
  writeFileSync(join(home, '.claude', 'settings.json'), '{ "hooks": ');
  const r = await cli(['setup', 'claude-code'], { HOME: home }, home);
  assert.is(r.code, 1);
  assert.match(r.err, /settings\.json is not valid JSON .*nothing was changed/);
  assert.not.ok(existsSync(join(home, '.claude.json')));
  const bad = await cli(['setup', 'claude-code', '--scope', 'team'], { HOME: home }, home);
  assert.is(bad.code, 1);
  assert.match(bad.err, 'unknown scope "team"');
});

test('setup refuses when the package is not built', () => {
  const home = tempDir('claude-home-');
  assert.throws(() => setupClaudeCode({ scope: 'user', home, projectDir: home, runtime: { ...runtime, server: join(home, 'missing.js') } }), /missing\.js is missing/);
});

test.run();
