// Oversized MCP messages are refused at the transport, before anything buffers or parses them,
// and the server goes on answering (issue 12, case 6).
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_MESSAGE_BYTES, readEnvelope } from '../src/mcp/line-limit.js';
import { SERVER_ENTRY, makePlatform, startServer, type Server } from './helpers/mcp.js';

const platform = makePlatform();
const servers: Server[] = [];
test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

test('a 10 MB summary is refused fast with the limit named, and the next call succeeds', async () => {
  const server = await startServer(platform.env);
  servers.push(server);
  const { sessionId } = await server.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.gateway, projectGroup: 'my-platform' });
  const started = performance.now();
  const error = await server.client
    .callTool({ name: 'notify_related_sessions', arguments: { sessionId, changeType: 'api_endpoint_change', summary: 'x'.repeat(10 * 1024 * 1024) } })
    .then(() => null, (e: Error) => e);
  const ms = performance.now() - started;
  assert.ok(error, 'refused');
  assert.match(error!.message, /refused unread/);
  assert.match(error!.message, new RegExp(MAX_MESSAGE_BYTES.toLocaleString('en-US')));
  assert.match(error!.message, /shorter summary/);
  assert.ok(ms < 1500, `refused in ${ms.toFixed(0)} ms`);
  assert.match(server.stderr(), /tools\/call message of 10,485,\d{3} bytes refused unread/);

  // Nothing was recorded, and the server answers the next call at once.
  const sent = await server.call<{ eventId: string }>('notify_related_sessions', { sessionId, changeType: 'api_endpoint_change', summary: 'small' });
  assert.ok(sent.eventId);
  const list = await server.call<{ sessions: Array<{ sessionId: string }> }>('list_group_sessions', { projectGroup: 'my-platform' });
  assert.ok(list.sessions.some((s) => s.sessionId === sessionId));
});

test('raw lines: a call before an oversized line is answered while it streams; its id is read from the start; a notification is logged', async () => {
  const child = spawn(process.execPath, [SERVER_ENTRY], { env: { ...process.env, ...platform.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  const write = (text: string) => new Promise<void>((r) => (child.stdin!.write(text) ? r() : child.stdin!.once('drain', () => r())));
  const answered = async (id: number) => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const line = out.split('\n').find((l) => l.startsWith('{') && (JSON.parse(l) as { id?: number }).id === id);
      if (line) return JSON.parse(line) as { result?: unknown; error?: { code: number; message: string } };
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no answer to ${id}: ${out}\n${err}`);
  };
  try {
    await write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })}\n`);
    await write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const init = (await answered(1)).result as { capabilities?: { logging?: unknown } };
    assert.ok(init.capabilities?.logging, 'logging declared: refusals without an id come as log notifications');
    await write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })}\n`);
    // An oversized call with its id first (as most clients write it), streamed in 64 KiB pieces.
    await write(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"heartbeat","arguments":{"sessionId":"s","currentTask":"`);
    const piece = 'y'.repeat(64 * 1024);
    let listedWhileStreaming = false;
    for (let sent = 0; sent < 6 * 1024 * 1024; sent += piece.length) {
      await write(piece);
      if (!listedWhileStreaming && out.includes('"id":2')) listedWhileStreaming = true;
    }
    await write('"}}}\n');
    assert.ok(listedWhileStreaming || out.includes('"id":2'), 'tools/list answered');
    const refused = await answered(3);
    assert.is(refused.error?.code, -32600);
    assert.match(refused.error!.message, /tools\/call message of 6,291,\d{3} bytes refused unread/);
    // An oversized notification (no id): a log notification, and the stream goes on.
    await write(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"reason":"${'z'.repeat(2 * 1024 * 1024)}"}}\n`);
    await write(`${JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' })}\n`);
    const listed = await answered(4);
    assert.ok(listed.result, 'answered after the refusals');
    const log = out.split('\n').filter((l) => l.includes('notifications/message')).map((l) => JSON.parse(l) as { params: { level: string; data: string } });
    assert.is(log.length, 1);
    assert.is(log[0]!.params.level, 'error');
    assert.match(log[0]!.params.data, /notifications\/cancelled message of 2,097,\d{3} bytes refused unread/);
    // A line that is not JSON is answered as JSON-RPC says (id null, -32700), and serving goes on.
    await write('this is not json\n');
    await write(`${JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/list' })}\n`);
    assert.ok((await answered(5)).result);
    const parseError = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id?: unknown; error?: { code: number } }).find((m) => m.error?.code === -32700);
    assert.is(parseError?.id, null);
    // Every line on stdout is one JSON-RPC message.
    for (const line of out.split('\n').filter(Boolean)) JSON.parse(line);
  } finally {
    child.stdin!.end();
    await exited;
  }
});

test('readEnvelope reads method and id from either end of a cut message', () => {
  assert.equal(readEnvelope('{"jsonrpc":"2.0","id":"a-1","method":"tools/call","params":{"x":"', ''), { method: 'tools/call', id: 'a-1' });
  assert.equal(readEnvelope('{"method":"tools/call","params":{"arguments":{"id":9,"s":"xx', 'xx"}},"jsonrpc":"2.0","id":12}'), { method: 'tools/call', id: 12 });
  assert.equal(readEnvelope('{"method":"tools/call","params":{"s":"xx', 'x"id":5}}'), { method: 'tools/call' }, 'a nested id is not the message id');
  assert.equal(readEnvelope('{"result":{"content":"', 'xx"},"jsonrpc":"2.0","id":4}'), { id: 4 });
  assert.equal(readEnvelope('garbage', 'more'), {});
});

test.run();
