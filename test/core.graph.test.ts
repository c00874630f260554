import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dependenciesOf, dependentsOf, findCycle, memberByRole, memberForPath, membersForPath, unknownRoles } from '../src/core/graph.js';
import type { Group, Member, Topology } from '../src/core/types.js';

const member = (role: string, dependsOn: string[] = [], path = `/repos/${role}`): Member => ({ path, role, dependsOn, exports: [] });
const group = (...members: Member[]): Group => ({ name: 'g', members, communicationRules: [] });

// The original README's example: auth <- gateway <- frontend.
const platform = group(member('auth'), member('gateway', ['auth']), member('frontend', ['gateway']));

test('dependentsOf: transitive, with via chains', () => {
  const cases: Array<[Group, string, Array<{ role: string; via: string[] }>]> = [
    [platform, 'auth', [{ role: 'gateway', via: [] }, { role: 'frontend', via: ['gateway'] }]],
    [platform, 'gateway', [{ role: 'frontend', via: [] }]],
    [platform, 'frontend', []],
    [platform, 'nobody', []],
    // Diamond: d reached once, by the shortest chain.
    [group(member('a'), member('b', ['a']), member('c', ['a']), member('d', ['b', 'c'])), 'a', [
      { role: 'b', via: [] }, { role: 'c', via: [] }, { role: 'd', via: ['b'] },
    ]],
    // Shortcut: e depends on a directly and through b.
    [group(member('a'), member('b', ['a']), member('e', ['b', 'a'])), 'a', [{ role: 'b', via: [] }, { role: 'e', via: [] }]],
    // Long chain.
    [group(member('a'), member('b', ['a']), member('c', ['b']), member('d', ['c'])), 'a', [
      { role: 'b', via: [] }, { role: 'c', via: ['b'] }, { role: 'd', via: ['b', 'c'] },
    ]],
    // Cycle: terminates, never lists the start.
    [group(member('a', ['b']), member('b', ['a'])), 'a', [{ role: 'b', via: [] }]],
  ];
  for (const [g, role, expected] of cases) assert.equal(dependentsOf(g, role), expected, role);
});

test('dependenciesOf: upstream, nearest first, unknown roles skipped', () => {
  assert.equal(dependenciesOf(platform, 'frontend'), [{ role: 'gateway', via: [] }, { role: 'auth', via: ['gateway'] }]);
  assert.equal(dependenciesOf(platform, 'auth'), []);
  assert.equal(dependenciesOf(group(member('a', ['ghost'])), 'a'), []);
});

test('findCycle names the cycle', () => {
  const cases: Array<[Group, string[] | null]> = [
    [platform, null],
    [group(member('a', ['b']), member('b', ['a'])), ['a', 'b', 'a']],
    [group(member('a', ['a'])), ['a', 'a']],
    [group(member('x'), member('a', ['b']), member('b', ['c']), member('c', ['a'])), ['a', 'b', 'c', 'a']],
    [group(member('a', ['b']), member('b', ['c']), member('c', ['b'])), ['b', 'c', 'b']],
    [group(member('a', ['ghost'])), null],
    [group(member('a'), member('b', ['a']), member('c', ['a']), member('d', ['b', 'c'])), null],
  ];
  for (const [g, expected] of cases) assert.equal(findCycle(g), expected);
});

test('memberByRole and unknownRoles', () => {
  assert.is(memberByRole(platform, 'gateway')?.path, '/repos/gateway');
  assert.is(memberByRole(platform, 'nope'), undefined);
  assert.equal(unknownRoles(platform, ['auth', 'x', 'frontend', 'y']), ['x', 'y']);
});

test('memberForPath: containing repo, most specific first, across groups', () => {
  const topology: Topology = {
    version: '1.0',
    groups: {
      platform,
      tools: group(member('mono', [], '/repos'), member('inner', [], '/repos/auth/packages/sdk/')),
    },
  };
  const cases: Array<[string, string | null]> = [
    ['/repos/auth', 'auth'],
    ['/repos/auth/', 'auth'],
    ['/repos/auth/src/user.ts', 'auth'],
    ['/repos/auth/packages/sdk/index.ts', 'inner'],
    ['/repos/authx/file', 'mono'],
    ['/repos/./gateway', 'gateway'],
    ['/elsewhere', null],
  ];
  for (const [path, role] of cases) assert.is(memberForPath(topology, path)?.member.role ?? null, role, path);
  assert.equal(membersForPath(topology, '/repos/auth/x').map((m) => `${m.groupName}:${m.member.role}`), ['platform:auth', 'tools:mono']);
});

test.run();
