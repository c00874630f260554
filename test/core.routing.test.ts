import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_ROUTING_POLICY, highestPriority, route } from '../src/core/routing.js';
import type { RouteRequest } from '../src/core/routing.js';
import type { CommunicationRule, Group, Member, RouteTarget } from '../src/core/types.js';

const member = (role: string, dependsOn: string[] = []): Member => ({ path: `/repos/${role}`, role, dependsOn, exports: [] });
const members = [member('auth'), member('gateway', ['auth']), member('frontend', ['gateway']), member('docs')];
const readmeRules: CommunicationRule[] = [
  { when: 'schema_change', from: '*', notify: 'dependents', priority: 'high' },
  { when: 'breaking_change', from: '*', notify: 'all', priority: 'critical' },
];
const g = (rules: CommunicationRule[]): Group => ({ name: 'platform', members, communicationRules: rules });
const t = (role: string, priority: RouteTarget['priority'], via: string[] = []): RouteTarget => ({ role, via, priority });

test('README example: schema change in auth reaches gateway and frontend via gateway', () => {
  assert.equal(route(g(readmeRules), { fromRole: 'auth', types: ['schema_change', 'any_change'] }), {
    targets: [t('gateway', 'high'), t('frontend', 'high', ['gateway'])],
    priority: 'high',
  });
});

test('route: rules, defaults and overrides', () => {
  const cases: Array<[string, CommunicationRule[], RouteRequest, { targets: RouteTarget[]; priority: string }]> = [
    ['breaking rule: everyone but the sender', readmeRules, { fromRole: 'gateway', types: ['breaking_change', 'any_change'] },
      { targets: [t('auth', 'critical'), t('frontend', 'critical'), t('docs', 'critical')], priority: 'critical' }],
    ['schema + breaking: union, shortest via, highest priority', readmeRules, { fromRole: 'auth', types: ['schema_change', 'breaking_change'] },
      { targets: [t('gateway', 'critical'), t('frontend', 'critical'), t('docs', 'critical')], priority: 'critical' }],
    ['no rule matches: dependents, normal', readmeRules, { fromRole: 'auth', types: ['config_change', 'any_change'] },
      { targets: [t('gateway', 'normal'), t('frontend', 'normal', ['gateway'])], priority: 'normal' }],
    ['no rules, breaking: all, critical', [], { fromRole: 'frontend', types: ['breaking_change', 'any_change'] },
      { targets: [t('auth', 'critical'), t('gateway', 'critical'), t('docs', 'critical')], priority: 'critical' }],
    ['breaking default is added beside other matched rules', [readmeRules[0]!], { fromRole: 'gateway', types: ['schema_change', 'breaking_change'] },
      { targets: [t('auth', 'critical'), t('frontend', 'critical'), t('docs', 'critical')], priority: 'critical' }],
    ['a narrow rule is not widened by the default', [{ when: 'config_change', from: '*', notify: ['docs'], priority: 'low' }],
      { fromRole: 'auth', types: ['config_change', 'any_change'] }, { targets: [t('docs', 'low')], priority: 'low' }],
    ['from list excludes other senders', [{ when: 'any_change', from: ['gateway'], notify: 'all', priority: 'low' }],
      { fromRole: 'auth', types: ['api_endpoint_change', 'any_change'] },
      { targets: [t('gateway', 'normal'), t('frontend', 'normal', ['gateway'])], priority: 'normal' }],
    ['any_change rule matches every type', [{ when: 'any_change', from: ['auth'], notify: ['docs', 'ghost'], priority: 'low' }],
      { fromRole: 'auth', types: ['type_definition_change'] }, { targets: [t('docs', 'low')], priority: 'low' }],
    ['per-target priority is the highest rule that reached it',
      [{ when: 'any_change', from: '*', notify: 'all', priority: 'low' }, { when: 'schema_change', from: '*', notify: 'dependents', priority: 'high' }],
      { fromRole: 'gateway', types: ['schema_change', 'any_change'] },
      { targets: [t('auth', 'low'), t('frontend', 'high'), t('docs', 'low')], priority: 'high' }],
    ['explicit priority overrides rule priorities', readmeRules, { fromRole: 'auth', types: ['schema_change'], priority: 'low' },
      { targets: [t('gateway', 'low'), t('frontend', 'low', ['gateway'])], priority: 'low' }],
    ['explicit notify overrides rules; priority defaults to normal', readmeRules, { fromRole: 'auth', types: ['breaking_change'], notify: ['frontend'] },
      { targets: [t('frontend', 'normal')], priority: 'normal' }],
    ['explicit notify all', readmeRules, { fromRole: 'docs', types: ['any_change'], notify: 'all', priority: 'high' },
      { targets: [t('auth', 'high'), t('gateway', 'high'), t('frontend', 'high')], priority: 'high' }],
    ['own role listed explicitly is kept, unknown roles ignored', [], { fromRole: 'auth', types: ['any_change'], notify: ['auth', 'ghost'] },
      { targets: [t('auth', 'normal')], priority: 'normal' }],
    ['explicit dependents of a leaf: nobody', [], { fromRole: 'frontend', types: ['any_change'], notify: 'dependents' },
      { targets: [], priority: 'normal' }],
    ['uncommitted: rules without the flag do not apply, no default', readmeRules, { fromRole: 'auth', types: ['schema_change', 'breaking_change'], uncommitted: true },
      { targets: [], priority: 'normal' }],
    ['uncommitted: opted-in rule applies', [{ when: 'schema_change', from: '*', notify: 'dependents', priority: 'high', uncommitted: true }, readmeRules[1]!],
      { fromRole: 'auth', types: ['schema_change', 'breaking_change', 'any_change'], uncommitted: true },
      { targets: [t('gateway', 'high'), t('frontend', 'high', ['gateway'])], priority: 'high' }],
    ['unknown sender: dependents are nobody', readmeRules, { fromRole: 'ghost', types: ['schema_change'] }, { targets: [], priority: 'high' }],
  ];
  for (const [name, rules, request, expected] of cases) assert.equal(route(g(rules), request), expected, name);
});

test('default policy is documented data', () => {
  assert.equal(DEFAULT_ROUTING_POLICY.unmatched, { notify: 'dependents', priority: 'normal' });
  assert.equal(DEFAULT_ROUTING_POLICY.unmatchedBreaking, { notify: 'all', priority: 'critical' });
});

test('highestPriority', () => {
  assert.is(highestPriority(['low', 'high', 'normal']), 'high');
  assert.is(highestPriority(['low']), 'low');
  assert.is(highestPriority([]), 'low');
});

test.run();
