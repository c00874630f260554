// The built CLI, spawned as a user would run it, against a temporary home and real member repos.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXAMPLE_TOPOLOGY } from '../src/topology/example.js';
import { parseTopology } from '../src/topology/parse.js';
import { cliHome, gitIn, runCli, runCliAsync, type CliHome } from './helpers/cli-process.js';

function ok(h: CliHome, ...args: string[]): string {
  const result = runCli(args, h.env);
  assert.is(result.code, 0, `${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

function topologyLog(h: CliHome): string[] {
  return gitIn(h.repoGitDir, ['log', '--format=%s', 'refs/orchestrator/topology']).trim().split('\n').filter(Boolean);
}

function quickStart(h: CliHome): void {
  ok(h, 'group', 'create', 'my-platform', '--description', 'My multi-service platform');
  ok(h, 'member', 'add', 'my-platform', h.repo('auth-service'), '--role', 'auth', '--exports', 'UserToken,AuthContext');
  ok(h, 'member', 'add', 'my-platform', h.repo('api-gateway'), '--role', 'gateway', '--depends-on', 'auth');
  ok(h, 'member', 'add', 'my-platform', h.repo('frontend'), '--role', 'frontend', '--depends-on', 'gateway');
  ok(h, 'rule', 'add', 'my-platform', '--when', 'schema_change', '--from', '*', '--notify', 'dependents', '--priority', 'high');
}

test('the README quick start produces the example topology, one commit per change', () => {
  const h = cliHome();
  quickStart(h);
  const text = readFileSync(h.topologyFile, 'utf8');
  const expand = { expandPath: (p: string) => p.replace(/^~(?=\/|$)/, h.home) };
  assert.equal(parseTopology(text, expand).topology, parseTopology(EXAMPLE_TOPOLOGY, expand).topology);
  assert.ok(text.includes('- path: ~/repos/api-gateway\n        role: gateway\n        dependsOn: [auth]'), text);
  // The last rule add repeated a default rule: nothing changed, nothing committed.
  assert.equal(topologyLog(h), [
    'topology: member add my-platform frontend (depends on gateway)',
    'topology: member add my-platform gateway (depends on auth)',
    'topology: member add my-platform auth',
    'topology: group create my-platform',
  ]);
  const validate = runCli(['validate'], h.env);
  assert.is(validate.code, 0, validate.stderr);
  assert.match(validate.stdout, /is valid: 1 group, 3 members/);
  const show = ok(h, 'group', 'show', 'my-platform');
  assert.match(show, /gateway\s+~\/repos\/api-gateway\n\s+depends on: auth\n\s+dependents: frontend/);
  assert.match(show, /auth\s+~\/repos\/auth-service\n\s+dependents: gateway\n\s+exports: UserToken, AuthContext/);
  assert.match(show, /schema_change from any role -> dependents \[high\]/);
  assert.match(ok(h, 'group', 'list'), /my-platform\s+3 members, 2 rules\s+My multi-service platform/);
});

test('--json output parses', () => {
  const h = cliHome();
  quickStart(h);
  const show = JSON.parse(ok(h, 'group', 'show', 'my-platform', '--json'));
  assert.equal(show.members.map((m: { role: string }) => m.role), ['auth', 'gateway', 'frontend']);
  assert.equal(show.members[1], { role: 'gateway', path: '~/repos/api-gateway', dependsOn: ['auth'], dependents: ['frontend'], exports: [] });
  assert.equal(JSON.parse(ok(h, 'group', 'list', '--json')).groups[0].members, 3);
  const validate = JSON.parse(ok(h, 'validate', '--json'));
  assert.equal([validate.valid, validate.errors, validate.members], [true, [], 3]);
  assert.is(JSON.parse(ok(h, 'config-path', '--json')).path, h.topologyFile);
  const added = JSON.parse(ok(h, 'member', 'add', 'my-platform', h.repo('db'), '--role', 'db', '--json'));
  assert.equal([added.role, added.added, typeof added.commit], ['db', true, 'string']);
  const failed = runCli(['group', 'show', 'nope', '--json'], h.env);
  assert.is(failed.code, 1);
  assert.is(JSON.parse(failed.stdout).error.message, 'group "nope" does not exist');
});

test('errors: one line on stderr, a hint, exit 1, no stack trace', () => {
  const h = cliHome();
  quickStart(h);
  const cases: Array<[string[], RegExp]> = [
    [['member', 'add', 'my-platform', h.repo('other'), '--role', 'auth'], /role "auth" already exists in my-platform .*member remove my-platform auth/],
    [['member', 'add', 'my-platform', h.repo('other')], /missing --role <role>/],
    [['member', 'add', 'my-platfrom', h.repo('other'), '--role', 'x'], /group "my-platfrom" does not exist \(did you mean my-platform\?\)/],
    [['member', 'remove', 'my-platform', 'auth'], /gateway depends on auth/],
    [['group', 'create', '../x'], /group name "\.\.\/x" contains "\/"/],
    [['rule', 'add', 'my-platform', '--when', 'schema', '--notify', 'all'], /unknown change type "schema"/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['group'], /"group" needs a subcommand/],
    [['group', 'list', '--bogus'], /unknown option --bogus/],
    [['init'], /a topology already exists .*init --force/],
  ];
  for (const [args, pattern] of cases) {
    const result = runCli(args, h.env);
    assert.is(result.code, 1, args.join(' '));
    const lines = result.stderr.trimEnd().split('\n');
    assert.is(lines.length, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.match(lines[0]!, /^claude-orchestrator: /);
    assert.match(lines[0]!, pattern);
    assert.is(result.stdout, '');
  }
  assert.is(topologyLog(h).length, 4, 'failed commands commit nothing');
});

test('validate lists every problem with line:column and exits 1; warnings alone exit 0', () => {
  const h = cliHome();
  quickStart(h);
  const text = readFileSync(h.topologyFile, 'utf8')
    .replace('dependsOn: [auth]', 'dependsOn: [auht]')
    .replace('role: frontend', 'role: "front end"');
  writeFileSync(h.topologyFile, text);
  const result = runCli(['validate'], h.env);
  assert.is(result.code, 1);
  assert.match(result.stdout, /error: .*topology\.yml:12:21: groups\.my-platform\.members\[1\]\.dependsOn\[0\]: unknown role "auht"/);
  assert.match(result.stdout, /error: .*topology\.yml:14:15: groups\.my-platform\.members\[2\]\.role: role "front end" contains " "/);
  assert.match(result.stdout, /has 2 errors/);
  // An invalid file is never recorded, and edits refuse to build on it.
  assert.is(topologyLog(h).length, 4);
  const add = runCli(['member', 'add', 'my-platform', h.repo('db'), '--role', 'db'], h.env);
  assert.is(add.code, 1);
  assert.match(add.stderr, /has \d+ errors/);

  const h2 = cliHome();
  ok(h2, 'group', 'create', 'g');
  ok(h2, 'member', 'add', 'g', join(h2.home, 'not-cloned-yet'), '--role', 'later');
  const warned = runCli(['validate'], h2.env);
  assert.is(warned.code, 0, warned.stderr);
  assert.match(warned.stdout, /warning: .*members\[0\]\.path: .*not-cloned-yet does not exist/);
});

test('init writes the example and creates the coordination repo; --force replaces', () => {
  const h = cliHome();
  const out = ok(h, 'init');
  assert.match(out, /Wrote the example topology/);
  assert.is(readFileSync(h.topologyFile, 'utf8'), EXAMPLE_TOPOLOGY);
  assert.equal(topologyLog(h), ['topology: init: example topology']);
  assert.is(ok(h, 'config-path').trim(), h.topologyFile);
  assert.is(ok(h, 'config-path', '--repo').trim(), h.repoGitDir);
  ok(h, 'group', 'delete', 'my-platform');
  assert.is(runCli(['init'], h.env).code, 1);
  ok(h, 'init', '--force');
  assert.is(readFileSync(h.topologyFile, 'utf8'), EXAMPLE_TOPOLOGY);
  assert.is(topologyLog(h).length, 3);
});

test('reads never record a hand edit; the next edit records it first, once; a broken one is not', () => {
  const h = cliHome();
  quickStart(h);
  writeFileSync(h.topologyFile, `${readFileSync(h.topologyFile, 'utf8')}# a note\n`);
  ok(h, 'group', 'list');
  ok(h, 'validate');
  assert.is(topologyLog(h).length, 4, 'reading wrote nothing');
  ok(h, 'group', 'create', 'other');
  assert.equal(topologyLog(h).slice(0, 2), ['topology: group create other', 'topology: edited by hand']);
  assert.match(readFileSync(h.topologyFile, 'utf8'), /# a note/);
  writeFileSync(h.topologyFile, 'groups: [\n');
  assert.is(runCli(['group', 'list'], h.env).code, 1);
  assert.is.not(runCli(['group', 'create', 'third'], h.env).code, 0);
  assert.is(topologyLog(h).length, 6);
});

test('a missing file is restored from the coordination repo', () => {
  const h = cliHome();
  quickStart(h);
  const text = readFileSync(h.topologyFile, 'utf8');
  // As on a new machine with the coordination repo but no file yet.
  unlinkSync(h.topologyFile);
  const result = runCli(['group', 'list'], h.env);
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stderr, /restored/);
  assert.is(readFileSync(h.topologyFile, 'utf8'), text);
});

test('a stale lock left by a dead process is broken, with a notice', () => {
  const h = cliHome();
  ok(h, 'group', 'create', 'g');
  writeFileSync(`${h.topologyFile}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), at: Date.now(), nonce: 'old' }));
  const result = runCli(['member', 'add', 'g', h.repo('a'), '--role', 'a'], h.env);
  assert.is(result.code, 0, result.stderr);
  assert.match(result.stderr, /broke a stale lock/);
});

test('8 concurrent member adds: 8 members, 8 commits, fsck clean', async () => {
  const h = cliHome();
  ok(h, 'group', 'create', 'busy');
  const repos = Array.from({ length: 8 }, (_, i) => h.repo(`service-${i}`));
  const results = await Promise.all(repos.map((repo, i) => runCliAsync(['member', 'add', 'busy', repo, '--role', `svc${i}`], h.env)));
  for (const r of results) assert.is(r.code, 0, r.stderr);
  const show = JSON.parse(ok(h, 'group', 'show', 'busy', '--json'));
  assert.equal(show.members.map((m: { role: string }) => m.role).sort(), repos.map((_, i) => `svc${i}`).sort());
  const log = topologyLog(h);
  assert.is(log.length, 9, log.join('\n'));
  assert.is(log.filter((s) => s.startsWith('topology: member add busy svc')).length, 8);
  gitIn(h.repoGitDir, ['fsck', '--strict', '--no-progress']);
  // The recorded topology and the file agree.
  assert.is(gitIn(h.repoGitDir, ['show', 'refs/orchestrator/topology:topology.yml']), readFileSync(h.topologyFile, 'utf8'));
});

test.run();
