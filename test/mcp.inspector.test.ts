// The MCP Inspector's CLI, a client we don't control, against the built server.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SERVER_ENTRY, makePlatform } from './helpers/mcp.js';

const run = promisify(execFile);
const LAUNCHER = resolve('node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js');
const platform = makePlatform();

async function inspector(args: string[]): Promise<unknown> {
  const { stdout } = await run(
    process.execPath,
    [LAUNCHER, '--cli', process.execPath, SERVER_ENTRY, '-e', `CLAUDE_ORCHESTRATOR_HOME=${platform.home}`, ...args],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout);
}

test('lists the eleven tools and get_update', async () => {
  const listed = (await inspector(['--method', 'tools/list'])) as { tools: Array<{ name: string; outputSchema?: unknown }> };
  assert.equal(listed.tools.map((t) => t.name).sort(), [
    'acknowledge_sync_point', 'get_cross_project_updates', 'get_pending_sync_points', 'get_topology', 'get_update', 'heartbeat',
    'list_group_sessions', 'notify_related_sessions', 'query_project_state', 'register_session', 'request_sync_point', 'unregister_session',
  ]);
  assert.ok(listed.tools.every((t) => t.outputSchema), 'every tool declares its output');
});

test('--strict: no schema portability findings; tools/list stays under 12 KB', async () => {
  const { stdout, stderr } = await run(
    process.execPath,
    [LAUNCHER, '--cli', process.execPath, SERVER_ENTRY, '-e', `CLAUDE_ORCHESTRATOR_HOME=${platform.home}`, '--method', 'tools/list', '--strict'],
    { timeout: 60_000 },
  );
  assert.not.match(stderr, /Warning|portability/i, stderr);
  const listed = JSON.parse(stdout) as { tools: unknown[]; schemaFindings?: unknown[] };
  assert.is(listed.schemaFindings, undefined, JSON.stringify(listed.schemaFindings));
  // No multi-type `type` anywhere (single-type dialects such as Gemini's function declarations).
  assert.not.match(JSON.stringify(listed.tools), /"type":\[/);
  const bytes = Buffer.byteLength(JSON.stringify({ tools: listed.tools }));
  assert.ok(bytes < 12 * 1024, `tools/list is ${bytes} bytes`);
});

test('calls get_topology', async () => {
  const result = (await inspector(['--method', 'tools/call', '--tool-name', 'get_topology', '--tool-arg', 'projectGroup=my-platform'])) as {
    structuredContent: { groups: Array<{ name: string; members: Array<{ role: string; dependents: string[] }> }> };
  };
  const group = result.structuredContent.groups[0]!;
  assert.is(group.name, 'my-platform');
  assert.equal(group.members.map((m) => m.role), ['auth', 'gateway', 'frontend']);
  assert.equal(group.members[0]!.dependents, ['gateway', 'frontend']);
});

test.run();
