// The README's commands, run as written (by a shell, in a temporary HOME, with
// `claude-orchestrator` on PATH as an install puts it there) and checked against what they print.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstAnswer } from './helpers/stdio.js';
import { tempDir } from './helpers/tmp.js';

const README = readFileSync('README.md', 'utf8');

/** The fenced `sh` block that follows `heading` in the README. */
function block(heading: string): string[] {
  const at = README.indexOf(heading);
  assert.ok(at >= 0, `README has ${heading}`);
  const match = /```sh\n([\s\S]*?)```/.exec(README.slice(at));
  assert.ok(match, `a sh block after ${heading}`);
  return match![1]!.split('\n');
}

/** A HOME with the CLI on PATH as `claude-orchestrator` and ~/repos/<name> as git repos. */
function userHome(repos: string[] = []) {
  const home = tempDir('orchestrator-readme-');
  const bin = join(home, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'claude-orchestrator'), `#!/bin/sh\nexec "${process.execPath}" "${resolve('dist/cli/main.js')}" "$@"\n`);
  chmodSync(join(bin, 'claude-orchestrator'), 0o755);
  for (const name of repos) execFileSync('git', ['init', '-q', join(home, 'repos', name)]);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
  delete env.CLAUDE_ORCHESTRATOR_HOME;
  return { home, env };
}

function sh(command: string, env: NodeJS.ProcessEnv, cwd: string): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync('sh', ['-c', command], { env, cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

test('set-up: the command that runs the server writes nothing but JSON-RPC to stdout', async () => {
  const setup = block('## Set-up').find((l) => l.includes('npm start'))!;
  // The part after the install steps: the server command itself.
  const command = setup.split('#')[0]!.split('&&').pop()!.trim();
  assert.match(command, /^npm start/);
  const { env, home } = userHome();
  const answer = await firstAnswer('sh', ['-c', command], { ...env, CLAUDE_ORCHESTRATOR_HOME: join(home, 'orchestrator') }, process.cwd());
  assert.is(answer[0], '{', `first stdout bytes: ${JSON.stringify(answer.slice(0, 60))}`);
  assert.is(JSON.parse(answer).jsonrpc, '2.0');
});

test('quick start: every command works as written; group create tells its two rules', () => {
  const lines = block('## Quick start');
  const commands = lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  assert.ok(commands.every((c) => c.startsWith('claude-orchestrator ')), 'no npx: the package is not published');
  // `init` writes the example; "Or build it up yourself" is another user's path: its own HOME.
  const [init, ...buildUp] = commands;
  assert.is(init, 'claude-orchestrator init');
  const first = userHome();
  const ran = sh(init!, first.env, first.home);
  assert.is(ran.code, 0, ran.stderr);

  const { env, home } = userHome(['auth-service', 'api-gateway', 'frontend']);
  for (const command of buildUp) {
    const r = sh(command, env, home);
    assert.is(r.code, 0, `${command}: ${r.stderr}`);
    assert.not.match(r.stdout, /nothing to change/, `${command} repeated a default rule`);
    if (command.includes('group create')) assert.match(r.stdout, /2 default rules: schema_change .*breaking_change/);
  }
  // What the README says a new group starts with is what group create did.
  assert.match(lines.join('\n'), /schema_change -> dependents \(high\)\s*\n#\s*and breaking_change -> all \(critical\)/);
  const show = sh('claude-orchestrator group show my-platform', env, home).stdout;
  assert.match(show, /schema_change from any role -> dependents \[high\]/);
  assert.match(show, /breaking_change from any role -> all \[critical\]/);
});

test('CLI reference: every command line reads as commands that exist', () => {
  const { env, home } = userHome();
  const lines = block('## CLI').map((l) => l.trim()).filter((l) => l.startsWith('claude-orchestrator '));
  assert.ok(lines.length > 5);
  const commandWords = (segment: string) => segment.trim().split(/\s+/).filter((w, i, all) => all.slice(0, i + 1).every((x) => !/^[<[-]/.test(x)));
  for (const line of lines) {
    // `a b|c <x> | d` reads as `a b`, `a c` and, after the `|` between commands, `a d` when the
    // first command has a subcommand: that is how a reader takes it, so it must exist.
    const segments = line.slice('claude-orchestrator '.length).split(' | ');
    const head = commandWords(segments[0]!);
    const readings: string[][] = [];
    for (const [i, segment] of segments.entries()) {
      const words = commandWords(segment);
      const full = i > 0 && head.length > 1 ? [head[0]!, ...words] : words;
      const last = full.pop()!;
      for (const alternative of last.split('|')) readings.push([...full, alternative]);
    }
    for (const words of readings) {
      const help = sh(`claude-orchestrator ${words.join(' ')} --help`, env, home);
      assert.is(help.code, 0, line);
      assert.match(help.stdout, `$ claude-orchestrator ${words.join(' ')}`, `README line "${line}" reads as "${words.join(' ')}", which is not a command`);
    }
  }
});

test.run();
