// hooks/claude-hook as Claude Code runs it (`/bin/sh -c "<command>"`), for the cases of issue 10
// the launcher answers: off costs nothing (case 8), the pid a registered session follows is
// Claude Code's, not a shell's that exits with the hook (case 1), and a checkout with CRLF line
// endings still ships hooks that run (case 5).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderHook } from '../src/app/operations/git-hooks.js';
import { isolatedEnv } from './helpers/claude-code.js';
import { makeClaudeProject } from './helpers/claude-project.js';
import { HOOK_ENTRY, hookJson } from './helpers/claude.js';
import { tempDir } from './helpers/tmp.js';

const LAUNCHER = resolve('hooks/claude-hook');
const project = makeClaudeProject();
const { frontend } = project.repos;

// A stand-in for node that notes it was started, then runs the real node.
const marker = join(tempDir(), 'node-started');
const fakeNode = join(tempDir(), 'node');
writeFileSync(fakeNode, `#!/bin/sh\necho started >> '${marker}'\nexec '${process.execPath}' "$@"\n`);
chmodSync(fakeNode, 0o755);

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Runs the launcher the way Claude Code does: `/bin/sh -c "sh <launcher> <node> <entry> <event>"`. */
function asClaudeCode(event: string, input: unknown, env: Record<string, string>, launcher = LAUNCHER) {
  rmSync(marker, { force: true });
  const command = `sh ${quote(launcher)} ${quote(fakeNode)} ${quote(HOOK_ENTRY)} ${event}`;
  const started = performance.now();
  const r = spawnSync('/bin/sh', ['-c', command], { input: JSON.stringify(input), encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started, nodeStarted: existsSync(marker) };
}

test('case 8: CLAUDE_ORCHESTRATOR_HOOKS=off starts no node, for every event', () => {
  const env = { ...project.env, CLAUDE_PROJECT_DIR: frontend, CLAUDE_ORCHESTRATOR_HOOKS: 'off' };
  for (const event of ['session-start', 'user-prompt-submit', 'post-tool-use', 'stop'] as const) {
    const r = asClaudeCode(event, hookJson(event, 'off-client-0001', frontend), env);
    assert.is([r.code, r.stdout, r.stderr, r.nodeStarted].join('|'), '0|||false', event);
  }
});

test('case 1: a session the SessionStart hook registers follows Claude Code, not the shell that ran the hook', () => {
  const env = { ...project.env, CLAUDE_PROJECT_DIR: frontend };
  const r = asClaudeCode('session-start', hookJson('session-start', 'pid-client-0001', frontend), env);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.nodeStarted);
  assert.match(r.stdout, 'this session is frontend-');
  // The hook's shells have exited; this test process, which ran `/bin/sh -c`, stands for Claude Code.
  const status = project.cli(['status']);
  assert.match(status, /active\s+frontend\s/, status);
  assert.not.match(status, /stale/, status);
});

test('case 1: the launcher names the first ancestor that is not a shell', () => {
  // A node stand-in that prints the pid it was given.
  const printer = join(tempDir(), 'print-pid.mjs');
  writeFileSync(printer, 'process.stdout.write(String(process.env.CLAUDE_ORCHESTRATOR_CLIENT_PID ?? ""));\n');
  const env = isolatedEnv(project.home);
  const direct = spawnSync('sh', [LAUNCHER, process.execPath, printer, 'session-start'], { input: '{}', encoding: 'utf8', env });
  assert.is(direct.stdout, String(process.pid));
  const nested = spawnSync('/bin/sh', ['-c', `sh -c ${quote(`sh ${quote(LAUNCHER)} ${quote(process.execPath)} ${quote(printer)} session-start; true`)}; true`], { input: '{}', encoding: 'utf8', env });
  assert.is(nested.stdout, String(process.pid));
  // Given by the caller: kept.
  const given = spawnSync('sh', [LAUNCHER, process.execPath, printer, 'session-start'], { input: '{}', encoding: 'utf8', env: { ...env, CLAUDE_ORCHESTRATOR_CLIENT_PID: '4242' } });
  assert.is(given.stdout, '4242');
});

test('case 5: a clone made with core.autocrlf=true checks every text file out with LF, and its hooks run', () => {
  const root = resolve('.');
  let inside = '';
  try {
    inside = execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root, encoding: 'utf8', env: isolatedEnv(project.home), stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    inside = '';
  }
  if (inside !== 'true') {
    console.log('  SKIP case 5 (CRLF clone): the project is not a git checkout here');
    return;
  }
  const clone = join(tempDir(), 'crlf-clone');
  execFileSync('git', ['-c', 'core.autocrlf=true', 'clone', '-q', '--no-hardlinks', root, clone], { env: isolatedEnv(project.home), stdio: 'ignore' });
  const eol = execFileSync('git', ['-c', 'core.autocrlf=true', 'ls-files', '--eol'], { cwd: clone, encoding: 'utf8', env: isolatedEnv(project.home) });
  const crlf = eol.split('\n').filter((line) => /\bw\/(crlf|mixed)\b/.test(line));
  assert.equal(crlf, [], `files checked out with CRLF:\n${crlf.join('\n')}`);
  for (const file of ['hooks/claude-hook', 'hooks/post-commit']) assert.not.ok(readFileSync(join(clone, file), 'utf8').includes('\r'), file);

  // The cloned launcher runs as Claude Code runs it: a session start goes to node and answers.
  const r = asClaudeCode('session-start', hookJson('session-start', 'crlf-client-0001', frontend), { ...project.env, CLAUDE_PROJECT_DIR: frontend }, join(clone, 'hooks', 'claude-hook'));
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, '');
  assert.match(r.stdout, 'this session is frontend-');
});

test('case 5: the post-commit hook is written with LF even from a CRLF template', () => {
  const template = join(tempDir(), 'post-commit');
  writeFileSync(template, readFileSync(resolve('hooks/post-commit'), 'utf8').replace(/\r?\n/g, '\r\n'));
  const rendered = renderHook({ node: process.execPath, ingest: '/opt/x/dist/git-hooks/ingest.js', home: project.home, template }, join(frontend, '.git'));
  assert.not.ok(rendered.includes('\r'));
  assert.ok(rendered.startsWith('#!/bin/sh\n'));
  // And sh runs it: off, it only chains (there is nothing to chain to) and exits 0.
  const hook = join(tempDir(), 'post-commit');
  writeFileSync(hook, rendered, { mode: 0o755 });
  const r = spawnSync(hook, [], { encoding: 'utf8', env: { ...isolatedEnv(project.home), CLAUDE_ORCHESTRATOR_HOOKS: '0' } });
  assert.is([r.status, r.stderr].join('|'), '0|');
});

test.run();
