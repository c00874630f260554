// `setup claude-code` and the files it touches (issue 10 case 9, issue 12 case 13): project scope
// writes commands that work on every teammate's machine (no path of this one), the portable hook
// command runs through the package's bin and does nothing where the package is missing;
// ~/.claude.json keeps its mode and a symlinked settings file stays a symlink; a symlinked quiet
// stamp never truncates its target.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openApp } from '../src/app/open.js';
import { forgetQuiet, noteQuiet } from '../src/app/quiet.js';
import { hookCommand, PORTABLE_HOOK, PORTABLE_SERVER, setupClaudeCode, type Runtime } from '../src/claude-hooks/setup.js';
import { hookJson } from './helpers/claude.js';
import { makePlatform } from './helpers/mcp.js';
import { tempDir } from './helpers/tmp.js';

const runtime: Runtime = {
  node: process.execPath, server: resolve('dist/index.js'), hook: resolve('dist/claude-hooks/hook-main.js'), launcher: resolve('hooks/claude-hook'),
};
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** Runs a hook command line as Claude Code does: `/bin/sh -c "<command>"`, the JSON on stdin. */
function runCommand(command: string, input: unknown, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // a command that exits without reading its input
    child.stdin.end(JSON.stringify(input));
  });
}

test('project scope: no path of this machine in .mcp.json or .claude/settings.json, and it says so', () => {
  const project = tempDir('claude-project-');
  const report = setupClaudeCode({ scope: 'project', home: tempDir('claude-home-'), projectDir: project, runtime, path: '' });
  assert.is(report.commands, 'path');
  const mcp = readFileSync(join(project, '.mcp.json'), 'utf8');
  const settings = readFileSync(join(project, '.claude', 'settings.json'), 'utf8');
  for (const text of [mcp, settings]) {
    assert.not.match(text.replaceAll('>/dev/null', ''), '/', 'no path but /dev/null');
    assert.not.match(text, 'node');
  }
  assert.equal(readJson(join(project, '.mcp.json')).mcpServers['claude-orchestrator'], { type: 'stdio', command: PORTABLE_SERVER, args: [], env: {} });
  assert.match(readJson(join(project, '.claude', 'settings.json')).hooks.Stop[0].hooks[0].command, `${PORTABLE_HOOK} stop`);
  assert.match(report.notes.join('\n'), 'can be committed');
  assert.match(report.notes.join('\n'), `Not on this machine's PATH: ${PORTABLE_SERVER}, ${PORTABLE_HOOK}`);
  // The package declares the bins those commands run.
  const bin = readJson('package.json').bin;
  assert.is(bin[PORTABLE_SERVER], 'dist/index.js');
  assert.is(bin[PORTABLE_HOOK], 'hooks/claude-hook');
  assert.match(readFileSync('dist/index.js', 'utf8').split('\n')[0]!, /^#!.*node/);
  // Running setup again changes nothing; user scope still writes this installation's paths.
  assert.ok(setupClaudeCode({ scope: 'project', home: tempDir('claude-home-'), projectDir: project, runtime, path: '' }).files.every((f) => !f.changed));
  const user = setupClaudeCode({ scope: 'user', home: tempDir('claude-home-'), projectDir: project, runtime });
  assert.is(user.commands, 'machine-paths');
});

test('the portable hook command runs the launcher through the bin on PATH; without the package it is silent and exits 0', async () => {
  const platform = makePlatform();
  (await openApp({ env: { ...process.env, ...platform.env } })).close(); // creates the coordination repo
  const bin = tempDir('global-bin-');
  // What `npm install -g` makes: a symlink to the package's file.
  symlinkSync(resolve('hooks/claude-hook'), join(bin, PORTABLE_HOOK));
  const env = {
    ...platform.env, PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, CLAUDE_PROJECT_DIR: platform.repos.frontend,
  };
  const command = hookCommand(runtime, 'session-start', true);
  const ran = await runCommand(command, hookJson('session-start', 'portable-1', platform.repos.frontend), env);
  assert.is(ran.code, 0, ran.stderr);
  assert.ok(ran.stdout, ran.stderr);
  assert.match(JSON.parse(ran.stdout).hookSpecificOutput.additionalContext, 'role frontend in group my-platform');

  const missing = await runCommand(command, hookJson('session-start', 'portable-2', platform.repos.frontend), { ...env, PATH: '/usr/bin:/bin' });
  assert.equal(missing, { code: 0, stdout: '', stderr: '' });
});

test('~/.claude.json keeps mode 0600; symlinked settings stay symlinks and their targets are updated', () => {
  const home = tempDir('claude-home-');
  const claudeJson = join(home, '.claude.json');
  writeFileSync(claudeJson, JSON.stringify({ numStartups: 1 }));
  chmodSync(claudeJson, 0o600);
  // ~/.claude/settings.json kept in a dotfiles repo, linked in.
  const dotfiles = tempDir('dotfiles-');
  writeFileSync(join(dotfiles, 'settings.json'), JSON.stringify({ model: 'opus' }));
  mkdirSync(join(home, '.claude'));
  symlinkSync(join(dotfiles, 'settings.json'), join(home, '.claude', 'settings.json'));

  setupClaudeCode({ scope: 'user', home, projectDir: home, runtime });
  assert.is(statSync(claudeJson).mode & 0o777, 0o600);
  assert.is(readJson(claudeJson).numStartups, 1);
  assert.ok(readJson(claudeJson).mcpServers['claude-orchestrator']);
  assert.ok(lstatSync(join(home, '.claude', 'settings.json')).isSymbolicLink());
  assert.is(readlinkSync(join(home, '.claude', 'settings.json')), join(dotfiles, 'settings.json'));
  const target = readJson(join(dotfiles, 'settings.json'));
  assert.is(target.model, 'opus');
  assert.ok(target.hooks.SessionStart);

  // A symlinked ~/.claude.json too, and --uninstall the same way.
  const real = join(dotfiles, 'claude.json');
  writeFileSync(real, readFileSync(claudeJson));
  chmodSync(real, 0o600);
  execFileSync('rm', [claudeJson]);
  symlinkSync(real, claudeJson);
  setupClaudeCode({ scope: 'user', home, projectDir: home, runtime, uninstall: true });
  assert.ok(lstatSync(claudeJson).isSymbolicLink());
  assert.is(readJson(real).mcpServers['claude-orchestrator'], undefined);
  assert.is(statSync(real).mode & 0o777, 0o600);
});

test('a symlinked quiet stamp never truncates its target', () => {
  const dir = tempDir('quiet-');
  const precious = join(dir, 'precious.txt');
  writeFileSync(precious, 'keep me');
  const file = join(dir, 'cache', 'claude-hooks-quiet', 'abc.prompt');
  mkdirSync(dirname(file), { recursive: true });
  symlinkSync(precious, file);
  forgetQuiet({ file, key: 'k' });
  assert.is(readFileSync(precious, 'utf8'), 'keep me');
  assert.not.ok(existsSync(file));
  symlinkSync(precious, file);
  noteQuiet({ file, key: 'stamp' });
  assert.is(readFileSync(precious, 'utf8'), 'keep me');
  assert.not.ok(lstatSync(file).isSymbolicLink());
  assert.is(readFileSync(file, 'utf8'), 'stamp');
});

test.run();
