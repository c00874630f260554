// The CLI's rough edges a newcomer met (issue 14, cases 5 and 7): each one line, exit code and
// wording as the other commands have them.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cliHome, runCli, type CliHome } from './helpers/cli-process.js';
import { tempDir } from './helpers/tmp.js';

function ok(h: CliHome, ...args: string[]) {
  const r = runCli(args, h.env);
  assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r;
}

function platform(): CliHome {
  const h = cliHome();
  ok(h, 'group', 'create', 'my-platform');
  ok(h, 'member', 'add', 'my-platform', h.repo('auth-service'), '--role', 'auth');
  return h;
}

test('group create says which rules it added', () => {
  const h = cliHome();
  const created = ok(h, 'group', 'create', 'my-platform');
  assert.match(created.stdout, /with 2 default rules: schema_change from any role -> dependents \[high\]; breaking_change from any role -> all \[critical\]/);
  assert.match(created.stdout, /--no-default-rules/);
  assert.match(ok(h, 'group', 'create', 'bare', '--no-default-rules').stdout, /with no rules/);
  const json = JSON.parse(ok(h, 'group', 'create', 'other', '--json').stdout);
  assert.equal(json.rules.map((r: { when: string }) => r.when), ['schema_change', 'breaking_change']);
});

test('status and log of a group that does not exist: exit 1, like the other commands', () => {
  const h = platform();
  for (const args of [['status', 'nope'], ['log', '--group', 'nope']]) {
    const r = runCli(args, h.env);
    assert.is(r.code, 1, args.join(' '));
    assert.match(r.stderr, /group "nope" does not exist \(groups: my-platform\)/);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.is(runCli(['status', 'my-platform'], h.env).code, 0);
  assert.is(runCli(['log', '--group', 'my-platform'], h.env).code, 0);
});

test('log: a mistyped group is refused even when records for every group (the topology) match it; an empty filter says so', () => {
  const h = cliHome();
  ok(h, 'init');
  const typo = runCli(['log', '--group', 'my-platfrom'], h.env);
  assert.is(typo.code, 1, typo.stdout);
  assert.match(typo.stderr, /group "my-platfrom" does not exist \(groups: my-platform\)/);
  assert.match(ok(h, 'log', '--role', 'nosuch').stdout, /No records match role nosuch/);
});

test('hooks status of a missing folder or a non-repo: exit 1, one clear line each', () => {
  const h = platform();
  const missing = join(tempDir(), 'nonexistent');
  const plain = tempDir();
  const r = runCli(['hooks', 'status', missing, plain], h.env);
  assert.is(r.code, 1);
  assert.match(r.stdout, `${missing}: error: no such folder`);
  assert.match(r.stdout, `${plain}: error: ${plain} is not a git worktree`);
  assert.not.match(r.stdout + r.stderr, /Command failed|fatal:/);
});

test('hooks install on a repo in no group says so; hooks status wording', () => {
  const h = platform();
  const outside = h.repo('outside');
  const installed = ok(h, 'hooks', 'install', outside);
  assert.match(installed.stderr, `warning: ${outside} is in no group`);
  const member = ok(h, 'hooks', 'install', join(h.home, 'repos', 'auth-service'));
  assert.not.match(member.stderr, /in no group/);
  const status = ok(h, 'hooks', 'status').stdout;
  assert.match(status, /auth-service: installed$/m);
  assert.not.match(status, /current \(git\)|missing \(git\)/);
  const removed = ok(h, 'hooks', 'uninstall').stdout;
  assert.not.match(removed, /missing \(git\)/);
  assert.match(ok(h, 'hooks', 'status').stdout, /auth-service: not installed$/m);
});

test('member and rule commands warn only about what they touch', () => {
  const h = platform();
  const gone = h.repo('gone');
  ok(h, 'member', 'add', 'my-platform', gone, '--role', 'gone');
  rmSync(gone, { recursive: true });
  const added = ok(h, 'member', 'add', 'my-platform', join(h.home, 'repos', 'not-cloned'), '--role', 'late');
  assert.match(added.stderr, /not-cloned does not exist/);
  assert.not.match(added.stderr, /repos\/gone/);
  mkdirSync(join(h.home, 'repos', 'not-cloned'));
  for (const args of [
    ['rule', 'add', 'my-platform', '--when', 'config_change', '--notify', 'all'],
    ['member', 'remove', 'my-platform', 'auth'],
  ]) {
    const r = ok(h, ...args);
    assert.not.match(r.stderr, /repos\/gone/, `${args.join(' ')}: ${r.stderr}`);
  }
  // validate still lists every problem.
  assert.match(runCli(['validate'], h.env).stdout + runCli(['validate'], h.env).stderr, /repos\/gone does not exist/);
});

test('an unknown option is reported as typed', () => {
  const h = cliHome();
  const r = runCli(['group', 'list', '--bogus-flag'], h.env);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'unknown option --bogus-flag');
  assert.not.match(r.stderr, /bogusFlag/);
});

test('subcommand help: the one-line description, no implied default on --no-x', () => {
  const h = cliHome();
  const create = ok(h, 'group', 'create', '--help').stdout;
  assert.match(create, 'Create a group');
  assert.match(create, '--no-default-rules');
  assert.not.match(create, '(default: true)');
  assert.match(ok(h, 'member', 'add', '--help').stdout, 'Add a repository to a group');
  assert.match(ok(h, 'hooks', 'status', '--help').stdout, 'whether the hook is installed');
});

test('hook with an unknown event: an error and exit 1', () => {
  const h = cliHome();
  const r = runCli(['hook', 'bogus'], h.env);
  assert.is(r.code, 1);
  assert.match(r.stderr, 'unknown hook event "bogus" (events: session-start');
});

test('CLAUDE_ORCHESTRATOR_RETENTION_DAYS=0 is refused, not ignored', () => {
  const h = cliHome();
  for (const value of ['0', '-1', 'soon']) {
    const r = runCli(['prune', '--dry-run'], { ...h.env, CLAUDE_ORCHESTRATOR_RETENTION_DAYS: value });
    assert.is(r.code, 1, value);
    assert.match(r.stderr, `CLAUDE_ORCHESTRATOR_RETENTION_DAYS=${value} is not a positive number of days`);
  }
  assert.is(runCli(['prune', '--dry-run'], { ...h.env, CLAUDE_ORCHESTRATOR_RETENTION_DAYS: '7' }).code, 0);
});

test('every timing variable is checked where the app opens, not only by prune', () => {
  const h = cliHome();
  for (const [name, unit] of [['CLAUDE_ORCHESTRATOR_STALE_AFTER_MS', 'ms'], ['CLAUDE_ORCHESTRATOR_SYNC_TIMEOUT_S', 's']] as const) {
    const r = runCli(['status'], { ...h.env, [name]: 'abc' });
    assert.is(r.code, 1, name);
    assert.match(r.stderr, `${name}=abc is not a positive number of ${unit}`);
  }
});

test('a home that is a file is named as such, with what to do', () => {
  const file = join(tempDir(), 'not-a-folder');
  writeFileSync(file, 'x');
  const r = runCli(['status'], { ...cliHome().env, CLAUDE_ORCHESTRATOR_HOME: file });
  assert.is(r.code, 1);
  assert.match(r.stderr, /CLAUDE_ORCHESTRATOR_HOME is .*not-a-folder, which is a file, not a folder/);
  assert.match(r.stderr, /point CLAUDE_ORCHESTRATOR_HOME at a folder/);
});

test.run();
