// Topology edits on two machines (issue 12, case 12): the same rule with two priorities is one
// rule changed on both sides, a conflict, never kept twice.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mergeTopology } from '../src/app/topology-merge.js';
import { EXAMPLE_TOPOLOGY } from '../src/topology/example.js';
import { parseTopology } from '../src/topology/parse.js';

const rule = (priority: string) => `      - when: config_change\n        from: "*"\n        notify: all\n        priority: ${priority}\n`;
const valid = () => null;

test('the same rule added with two priorities is a conflict', async () => {
  const merged = await mergeTopology(EXAMPLE_TOPOLOGY + rule('low'), EXAMPLE_TOPOLOGY, EXAMPLE_TOPOLOGY + rule('high'), { theirsLabel: 'origin', valid });
  assert.not.ok(merged.ok, JSON.stringify(merged));
  if (!merged.ok) assert.match(merged.reason, /communicationRules/);
});

test('the same rule added on both sides is kept once', async () => {
  const merged = await mergeTopology(EXAMPLE_TOPOLOGY + rule('low'), EXAMPLE_TOPOLOGY, EXAMPLE_TOPOLOGY + rule('low'), { theirsLabel: 'origin', valid });
  assert.ok(merged.ok);
  if (merged.ok) assert.is(merged.text.split('when: config_change').length - 1, 1);
});

test('two different rules added on both sides are both kept', async () => {
  const other = rule('low').replace('config_change', 'dependency_update');
  const merged = await mergeTopology(EXAMPLE_TOPOLOGY + rule('low'), EXAMPLE_TOPOLOGY, EXAMPLE_TOPOLOGY + other, { theirsLabel: 'origin', valid });
  assert.ok(merged.ok, JSON.stringify(merged));
  if (merged.ok) {
    assert.ok(merged.text.includes('config_change'));
    assert.ok(merged.text.includes('dependency_update'));
  }
});

test('case 13: a member path holding a newline is an error, not a path under the current folder', () => {
  const text = EXAMPLE_TOPOLOGY.replace('path: ~/repos/frontend', 'path: "/tmp/x\\n/etc"');
  const result = parseTopology(text, { expandPath: (p) => p.replace(/^~(?=\/|$)/, '/home/me') });
  assert.is(result.topology, null);
  assert.ok(result.errors.some((e) => /control character/.test(e.message)), JSON.stringify(result.errors));
});

test.run();
