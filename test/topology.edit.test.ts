import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addMember, addRule, createGroup, deleteGroup, displayPath, removeMember, removeRule, TopologyEditError } from '../src/topology/edit.js';
import { EMPTY_TOPOLOGY } from '../src/topology/empty.js';
import { EXAMPLE_TOPOLOGY } from '../src/topology/example.js';
import { parseTopology } from '../src/topology/parse.js';

const ctx = { homeDir: '/home/me', cwd: '/work' };
const parse = (text: string) => parseTopology(text, { expandPath: (p) => p.replace(/^~(?=\/|$)/, '/home/me') });

function quickStart(start = EMPTY_TOPOLOGY): string {
  let text = createGroup(start, 'my-platform', 'My multi-service platform');
  text = addMember(text, 'my-platform', { path: '/home/me/repos/auth-service', role: 'auth', exports: ['UserToken', 'AuthContext'] }, ctx);
  text = addMember(text, 'my-platform', { path: '/home/me/repos/api-gateway', role: 'gateway', dependsOn: ['auth'] }, ctx);
  text = addMember(text, 'my-platform', { path: '~/repos/frontend', role: 'frontend', dependsOn: ['gateway'] }, ctx);
  return addRule(text, 'my-platform', { when: 'schema_change', from: '*', notify: 'dependents', priority: 'high' });
}

function editError(fn: () => unknown): TopologyEditError {
  try {
    fn();
  } catch (error) {
    assert.instance(error, TopologyEditError);
    return error as TopologyEditError;
  }
  throw new Error('expected a TopologyEditError');
}

test('the quick start builds the README example topology', () => {
  const text = quickStart();
  assert.equal(parse(text).errors, []);
  assert.equal(parse(text).topology, parse(EXAMPLE_TOPOLOGY).topology);
  assert.ok(text.includes('      - path: ~/repos/auth-service\n        role: auth\n        exports: [UserToken, AuthContext]\n'), text);
  assert.ok(text.includes('dependsOn: [gateway]'));
  assert.ok(text.includes('from: "*"'));
});

test("the user's comments and key order survive every edit", () => {
  const start = `# my platforms\nversion: "1.0" # keep this\ngroups:\n  # the old one\n  legacy:\n    description: kept as is # inline\n    members: []\n`;
  let text = quickStart(start);
  text = removeMember(text, 'my-platform', 'frontend', ctx);
  text = deleteGroup(text, 'my-platform');
  assert.is(text, start);
  const again = quickStart(start);
  for (const comment of ['# my platforms', '# keep this', '# the old one', '# inline']) assert.ok(again.includes(comment), comment);
  assert.ok(again.indexOf('legacy:') < again.indexOf('my-platform:'));
});

test('paths are written absolute with home as ~', () => {
  assert.is(displayPath('/home/me/repos/x', ctx), '~/repos/x');
  assert.is(displayPath('repos/x', ctx), '/work/repos/x');
  assert.is(displayPath('~/x/../y', ctx), '~/y');
  assert.is(displayPath('/home/me', ctx), '~');
  assert.is(displayPath('/home/meow/x', ctx), '/home/meow/x');
});

test('adding an existing role is an error with a hint; the same path and role is idempotent', () => {
  const text = quickStart();
  const error = editError(() => addMember(text, 'my-platform', { path: '/elsewhere', role: 'auth' }, ctx));
  assert.match(error.message, /role "auth" already exists in my-platform/);
  assert.match(error.hint ?? '', /member remove my-platform auth/);
  assert.is(addMember(text, 'my-platform', { path: '~/repos/auth-service', role: 'auth' }, ctx), text);
  const samePath = editError(() => addMember(text, 'my-platform', { path: '/home/me/repos/auth-service', role: 'auth2' }, ctx));
  assert.match(samePath.message, /already in my-platform as "auth"/);
});

test('edits check groups, roles and names', () => {
  const text = quickStart();
  assert.match(editError(() => addMember(text, 'my-platfrom', { path: '/x', role: 'x' }, ctx)).hint ?? '', /did you mean my-platform/);
  assert.match(editError(() => addMember(text, 'my-platform', { path: '/x', role: 'x', dependsOn: ['auht'] }, ctx)).hint ?? '', /did you mean auth\?/);
  for (const bad of ['../x', 'a b', 'a:b']) {
    assert.match(editError(() => createGroup(text, bad)).message, new RegExp(`group name ${JSON.stringify(bad).replace(/[.]/g, '\\.')}`));
    assert.match(editError(() => addMember(text, 'my-platform', { path: '/x', role: bad }, ctx)).message, /^role /);
  }
  assert.match(editError(() => createGroup(text, 'my-platform')).message, /already exists/);
  assert.match(editError(() => deleteGroup(text, 'nope')).message, /does not exist/);
  assert.match(editError(() => addRule(text, 'my-platform', { when: 'schema', from: '*', notify: 'all' })).message, /unknown change type/);
  assert.match(editError(() => addRule(text, 'my-platform', { when: 'any_change', from: ['ghost'], notify: 'all' })).message, /unknown role "ghost"/);
  assert.match(editError(() => addRule(text, 'my-platform', { when: 'any_change', from: '*', notify: 'all', priority: 'urgent' })).message, /unknown priority/);
});

test('removing a member others depend on is refused; by path or role otherwise', () => {
  const text = quickStart();
  const error = editError(() => removeMember(text, 'my-platform', 'auth', ctx));
  assert.match(error.message, /gateway depends on auth/);
  assert.match(editError(() => removeMember(text, 'my-platform', 'nobody', ctx)).hint ?? '', /members of my-platform: auth/);
  const withoutFrontend = removeMember(text, 'my-platform', '/home/me/repos/frontend', ctx);
  assert.equal(parse(withoutFrontend).topology?.groups['my-platform']?.members.map((m) => m.role), ['auth', 'gateway']);
  assert.is(removeMember(text, 'my-platform', 'frontend', ctx), withoutFrontend);
});

test('a rule with the same when/from/notify is replaced, not duplicated', () => {
  const text = quickStart();
  const again = addRule(text, 'my-platform', { when: 'schema_change', from: '*', notify: 'dependents', priority: 'high' });
  assert.is(again, text);
  const raised = addRule(text, 'my-platform', { when: 'schema_change', from: '*', notify: 'dependents', priority: 'critical' });
  const rules = parse(raised).topology?.groups['my-platform']?.communicationRules ?? [];
  assert.is(rules.length, 2);
  assert.is(rules[0]?.priority, 'critical');
  const targeted = addRule(text, 'my-platform', { when: 'api_endpoint_change', from: ['gateway'], notify: ['frontend'], uncommitted: true });
  assert.ok(targeted.includes('from: [gateway]\n        notify: [frontend]\n        priority: normal\n        uncommitted: true'), targeted);
});

test('rules are removed by change type, narrowed by from and notify; removing nothing says what there is', () => {
  let text = quickStart();
  text = addRule(text, 'my-platform', { when: 'config_change', from: ['auth'], notify: ['gateway'] });
  text = addRule(text, 'my-platform', { when: 'config_change', from: '*', notify: 'all' });
  const rulesOf = (t: string) => parse(t).topology?.groups['my-platform']?.communicationRules.map((r) => `${r.when}:${JSON.stringify(r.from)}:${JSON.stringify(r.notify)}`) ?? [];
  const narrowed = removeRule(text, 'my-platform', { when: 'config_change', from: ['auth'] });
  assert.not.ok(rulesOf(narrowed).includes('config_change:["auth"]:["gateway"]'));
  assert.ok(rulesOf(narrowed).includes('config_change:"*":"all"'));
  const all = removeRule(text, 'my-platform', { when: 'config_change' });
  assert.not.ok(rulesOf(all).some((r) => r.startsWith('config_change')));
  assert.ok(rulesOf(all).some((r) => r.startsWith('schema_change')), 'other rules stay');
  const none = editError(() => removeRule(text, 'my-platform', { when: 'dependency_update' }));
  assert.match(none.message, 'no such dependency_update rule');
});

test('a group can start without the default rules; broken YAML is refused', () => {
  const text = createGroup(EMPTY_TOPOLOGY, 'g', undefined, { defaultRules: false });
  assert.equal(parse(text).topology?.groups.g, { name: 'g', members: [], communicationRules: [] });
  assert.match(editError(() => createGroup('groups: [\n', 'g')).message, /not valid YAML/);
});

test.run();
