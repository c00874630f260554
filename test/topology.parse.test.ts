import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EMPTY_TOPOLOGY } from '../src/topology/empty.js';
import { EXAMPLE_TOPOLOGY } from '../src/topology/example.js';
import { formatProblem, parseTopology, type ParseOptions, type Problem } from '../src/topology/parse.js';

const options: ParseOptions = { expandPath: (p) => p.replace(/^~(?=\/|$)/, '/home/me') };

function problems(text: string, opts: ParseOptions = options): { errors: string[]; warnings: string[] } {
  const result = parseTopology(text, opts);
  return { errors: result.errors.map((p) => formatProblem(p)), warnings: result.warnings.map((p) => formatProblem(p)) };
}

const VALID = `version: "1.0"
groups:
  g:
    members:
      - path: ~/a
        role: auth
      - path: /srv/b
        role: gateway
        dependsOn: [auth]
`;

test('the README example parses, with ~ expanded and defaults filled', () => {
  const result = parseTopology(EXAMPLE_TOPOLOGY, options);
  assert.equal(result.errors, []);
  const group = result.topology?.groups['my-platform'];
  assert.ok(group);
  assert.is(group.name, 'my-platform');
  assert.is(group.description, 'My multi-service platform');
  assert.equal(group.members.map((m) => m.role), ['auth', 'gateway', 'frontend']);
  assert.is(group.members[0]?.path, '/home/me/repos/auth-service');
  assert.equal(group.members[0]?.exports, ['UserToken', 'AuthContext']);
  assert.equal(group.members[2]?.dependsOn, ['gateway']);
  assert.equal(group.communicationRules, [
    { when: 'schema_change', from: '*', notify: 'dependents', priority: 'high' },
    { when: 'breaking_change', from: '*', notify: 'all', priority: 'critical' },
  ]);
});

test('the embedded default is valid and empty', () => {
  const result = parseTopology(EMPTY_TOPOLOGY, options);
  assert.equal(result.errors, []);
  assert.equal(result.topology, { version: '1.0', groups: {} });
});

test('group name filled from its key; single role in from; priority defaults to normal', () => {
  const result = parseTopology(`${VALID}    communicationRules:\n      - when: any_change\n        from: auth\n        notify: [gateway]\n`, options);
  assert.equal(result.errors, []);
  assert.is(result.topology?.groups.g?.name, 'g');
  assert.equal(result.topology?.groups.g?.communicationRules[0], { when: 'any_change', from: ['auth'], notify: ['gateway'], priority: 'normal' });
});

test('broken YAML is reported with its position', () => {
  const { errors } = problems('version: "1.0"\ngroups:\n  g:\n    members: [\n  x: 1\n');
  assert.ok(errors.length >= 1);
  assert.match(errors[0]!, /^topology\.yml:\d+:\d+: /);
});

test('an unquoted * says to quote it', () => {
  const { errors } = problems(`${VALID}    communicationRules:\n      - when: any_change\n        from: *\n        notify: all\n`);
  assert.ok(errors.some((e) => /topology\.yml:12:\d+: .*quoted/.test(e)), errors.join('\n'));
});

test('unknown role: located on the entry, roles listed, close match suggested', () => {
  const text = `version: "1.0"
groups:
  my-platform:
    members:
      - path: /a
        role: auth
      - path: /b
        role: gateway
        dependsOn: [auht]
      - path: /c
        role: frontend
`;
  const { errors } = problems(text);
  assert.equal(errors, [
    'topology.yml:9:21: groups.my-platform.members[1].dependsOn[0]: unknown role "auht" (did you mean "auth"? roles in my-platform: auth, gateway, frontend)',
  ]);
});

test('bad names ../x, "a b" and a:b are rejected where they are', () => {
  const text = `version: "1.0"
groups:
  ../x:
    members: []
  g:
    members:
      - path: /a
        role: a b
      - path: /b
        role: "a:b"
`;
  const result = parseTopology(text, options);
  assert.is(result.topology, null);
  const byWhere = new Map(result.errors.map((p: Problem) => [p.where, p]));
  assert.equal([...byWhere.keys()].sort(), ['g.members[0].role', 'g.members[1].role', 'groups["../x"]'].map((w) => (w.startsWith('g.') ? `groups.${w}` : w)).sort());
  const group = byWhere.get('groups["../x"]')!;
  assert.equal([group.line, group.column], [3, 3]);
  assert.match(group.message, /group name "\.\.\/x"/);
  const space = byWhere.get('groups.g.members[0].role')!;
  assert.equal([space.line, space.column], [8, 15]);
  assert.match(space.message, /contains " "/);
  const colon = byWhere.get('groups.g.members[1].role')!;
  assert.equal([colon.line, colon.column], [10, 15]);
  assert.match(colon.message, /contains ":"/);
});

test('a dependency cycle is named', () => {
  const text = `version: "1.0"
groups:
  g:
    members:
      - path: /a
        role: auth
        dependsOn: [gateway]
      - path: /b
        role: gateway
        dependsOn: [auth]
`;
  const { errors } = problems(text);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^topology\.yml:7:21: groups\.g\.members\[0\]\.dependsOn\[0\]: dependency cycle: auth -> gateway -> auth/);
});

test('every problem at once, in file order, with line and column', () => {
  const text = `version: "1.0"
groups:
  g:
    name: other
    members:
      - path: relative/path
        role: auth
      - path: /b
        role: auth
        dependsOn: [nobody]
      - role: 5
    communicationRules:
      - when: schema_chnage
        from: "*"
        notify: dependents
      - when: any_change
        from: [ghost]
        notify: loud
`;
  const { errors } = problems(text);
  const summary = errors.map((e) => e.replace(/ \(.*$/, ''));
  assert.equal(summary, [
    'topology.yml:4:11: groups.g.name: name "other" differs from its key "g"',
    'topology.yml:6:15: groups.g.members[0].path: path "relative/path" is relative',
    'topology.yml:9:15: groups.g.members[1].role: role "auth" is already used by members[0]',
    'topology.yml:10:21: groups.g.members[1].dependsOn[0]: unknown role "nobody"',
    'topology.yml:11:9: groups.g.members[2].path: is missing',
    'topology.yml:11:15: groups.g.members[2].role: expected a string, found number 5',
    'topology.yml:13:15: groups.g.communicationRules[0].when: unknown change type "schema_chnage"',
    'topology.yml:18:17: groups.g.communicationRules[1].notify: must be "all", "dependents" or a list of roles',
    'topology.yml:17:16: groups.g.communicationRules[1].from[0]: unknown role "ghost"',
  ].sort(byPosition));
});

function byPosition(a: string, b: string): number {
  const pos = (s: string) => s.split(':').slice(1, 3).map(Number) as [number, number];
  const [la, ca] = pos(a);
  const [lb, cb] = pos(b);
  return la - lb || ca - cb;
}

test('unknown keys are warnings with a suggestion; the topology still loads', () => {
  const result = parseTopology(VALID.replace('dependsOn: [auth]', 'dependOn: [auth]'), options);
  assert.equal(result.errors, []);
  assert.ok(result.topology);
  assert.equal(result.warnings.map((p) => formatProblem(p)), ['topology.yml:9:9: groups.g.members[1].dependOn: unknown key "dependOn" is ignored (did you mean "dependsOn"?)']);
});

test('missing paths and non-repos are warnings, not errors', () => {
  const result = parseTopology(VALID, { ...options, pathExists: (p) => p !== '/home/me/a', isGitRepo: () => false });
  assert.equal(result.errors, []);
  assert.ok(result.topology);
  assert.equal(result.warnings.map((p) => `${p.where}: ${p.message}`), [
    'groups.g.members[0].path: /home/me/a does not exist',
    'groups.g.members[1].path: /srv/b is not a git repository',
  ]);
});

test('version: wrong one is an error, unquoted 1.0 a warning', () => {
  assert.match(problems(VALID.replace('"1.0"', '"2.0"')).errors[0]!, /topology\.yml:1:10: version: unsupported version "2.0"/);
  const unquoted = parseTopology(VALID.replace('"1.0"', '1.0'), options);
  assert.equal(unquoted.errors, []);
  assert.match(formatProblem(unquoted.warnings[0]!), /version: write the version as a string/);
});

test('an empty file is an error that says what to write', () => {
  const { errors } = problems('');
  assert.match(errors[0]!, /the file is empty/);
});

test('the same rule (when, from, notify) twice is an error at its line, naming which one to keep', () => {
  const rules = `    communicationRules:
      - when: schema_change
        from: [gateway, auth]
        notify: dependents
        priority: high
      - when: schema_change
        from: [auth, gateway]
        notify: dependents
        priority: critical
      - when: config_change
        from: "*"
        notify: [gateway]
      - when: config_change
        from: "*"
        notify: [gateway]
      - when: config_change
        from: auth
        notify: [gateway]
`;
  const { errors } = problems(`${VALID}${rules}`);
  assert.is(errors.length, 2, errors.join('\n'));
  assert.match(errors[0]!, /^topology\.yml:15:9: groups\.g\.communicationRules\[1\]: the same rule as communicationRules\[0\] \(line 11\): when schema_change, from \[auth,gateway\], notify dependents \(priority critical here, high there\)/);
  assert.match(errors[0]!, /keep the one whose priority you mean and delete the other; today the higher applies: critical \(this one\)/);
  assert.match(errors[1]!, /^topology\.yml:22:9: .*communicationRules\[3\]: the same rule as communicationRules\[2\] \(line 19\): when config_change, from \*, notify \[gateway\]/);
  assert.match(errors[1]!, /delete this one and keep communicationRules\[2\] \(line 19\)/);
});

test.run();
