// The prompts Claude Code shows as slash commands, through a real MCP client (in memory).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerPrompts } from '../src/mcp/prompts.js';

async function connect(sessionId?: string) {
  const server = new McpServer({ name: 'claude-orchestrator', version: '0.0.0' });
  registerPrompts(server, sessionId ? { sessionId: () => sessionId } : {});
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'test', version: '1.0.0' });
  await Promise.all([server.connect(a), client.connect(b)]);
  return client;
}
const text = (r: { messages: Array<{ content: { type: string; text?: string } }> }) => r.messages.map((m) => m.content.text ?? '').join('\n');

test('three prompts, with their arguments', async () => {
  const client = await connect();
  const { prompts } = await client.listPrompts();
  assert.equal(prompts.map((p) => p.name), ['check-updates', 'announce-change', 'start-sync-point']);
  assert.equal(prompts.find((p) => p.name === 'start-sync-point')!.arguments!.map((a) => [a.name, a.required]), [['description', true], ['participants', false]]);
  await client.close();
});

test('the prompt texts name the tools and the session', async () => {
  const client = await connect('frontend-0123456789ab');
  assert.match(text(await client.getPrompt({ name: 'check-updates' })), /frontend-0123456789ab.*get_cross_project_updates/);
  assert.match(text(await client.getPrompt({ name: 'announce-change', arguments: { summary: 'Renamed user.name' } })), /The change: Renamed user.name\. .*notify_related_sessions/);
  const sync = text(await client.getPrompt({ name: 'start-sync-point', arguments: { description: 'Move to v2', participants: 'gateway, frontend' } }));
  assert.match(sync, 'request_sync_point with description "Move to v2" and participants ["gateway","frontend"]');
  await client.close();
});

test.run();
