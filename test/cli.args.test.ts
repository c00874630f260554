import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createContext } from '../src/cli/context.js';
import { createProgram, parseArgs, type ParsedArgs } from '../src/cli/program.js';

function parse(...argv: string[]): ParsedArgs {
  // The context is lazy: building the program opens nothing.
  return parseArgs(createProgram(createContext({ env: {}, cwd: '/work', io: { stdout: () => {}, stderr: () => {} } })), argv);
}

test('two-word commands with their arguments and options', () => {
  assert.equal(parse('member', 'add', 'my-platform', '/r/gw', '--role', 'gateway', '--depends-on', 'auth,db'), {
    kind: 'run',
    command: 'member add',
    args: ['my-platform', '/r/gw'],
    options: { role: 'gateway', dependsOn: 'auth,db' },
  });
  const created = parse('group', 'create', 'g', '--description', 'My platform', '--json');
  assert.equal(created.kind === 'run' && [created.command, created.args, created.options.description, created.options.json], ['group create', ['g'], 'My platform', true]);
  const rule = parse('rule', 'add', 'g', '--when', 'schema_change', '--notify', 'dependents');
  assert.equal(rule.kind === 'run' && [rule.options.from, rule.options.priority], ['*', 'normal']);
  const path = parse('config-path', '--repo');
  assert.equal(path.kind === 'run' && [path.command, path.options.repo], ['config-path', true]);
  const noRules = parse('group', 'create', 'g', '--no-default-rules');
  assert.is(noRules.kind === 'run' && noRules.options.defaultRules, false);
});

test('help and version', () => {
  assert.equal(parse(), { kind: 'help' });
  assert.equal(parse('--help'), { kind: 'help' });
  assert.equal(parse('member', 'add', '--help'), { kind: 'help', command: 'member add' });
  assert.equal(parse('--version'), { kind: 'version' });
});

test('unknown commands, missing subcommands, bad options: an error with a hint', () => {
  const unknown = parse('grop', 'list');
  assert.equal(unknown.kind, 'error');
  assert.match(unknown.kind === 'error' ? `${unknown.message} (${unknown.hint})` : '', /unknown command "grop" \(did you mean "group"\?/);
  const missing = parse('group');
  assert.match(missing.kind === 'error' ? `${missing.message} (${missing.hint})` : '', /"group" needs a subcommand \(group subcommands: create, list, show, delete\)/);
  const typo = parse('group', 'shwo', 'x');
  assert.match(typo.kind === 'error' ? `${typo.message} (${typo.hint})` : '', /unknown command "group shwo" \(did you mean "group show"\?/);
  const option = parse('group', 'list', '--bogus');
  assert.equal(option, { kind: 'error', message: 'unknown option --bogus', hint: 'see claude-orchestrator group list --help' });
  const args = parse('group', 'show');
  assert.match(args.kind === 'error' ? args.message : '', /missing required args/);
  const extra = parse('group', 'show', 'a', 'b');
  assert.match(extra.kind === 'error' ? extra.message : '', /unexpected arguments: b/);
});

test.run();
