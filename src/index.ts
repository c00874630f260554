#!/usr/bin/env -S node --max-semi-space-size=1
// (The flag is SERVER_NODE_FLAGS, src/config/node-flags.ts; `node dist/index.js` works without it.)
// The stdio MCP server. stdout carries the protocol and nothing else; logs go to stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describeError } from './app/errors.js';
import { packageVersion } from './config/version.js';
import type { ServerProcess } from './mcp/process.js';
import { createServer } from './mcp/server.js';
import { flushedTo, WrittenReplies } from './mcp/replies.js';
import { limitLines, refusalText, type RefusedMessage } from './mcp/line-limit.js';

/**
 * Past this after start the repo is opened even if no tools/list came (a client that never
 * lists tools still gets its session registered and its repos followed).
 */
const OPEN_AFTER_MS = 500;

// A stray console.log from any dependency would corrupt the protocol stream.
console.log = console.error;
console.info = console.error;

async function main(): Promise<void> {
  // Opened on first use and retried after a failure: a missing or damaged coordination repo
  // makes each call fail with the reason, while the server keeps serving.
  let opening: Promise<ServerProcess> | null = null;
  const app = (): Promise<ServerProcess> => {
    // Imported here, not at start: the repo, the topology, watchers and sync are not needed to
    // answer initialize and tools/list, which the client waits for before the model sees our tools.
    // One retry after a short pause: another server creating the coordination repo at the same
    // moment leaves it half-made for a few milliseconds (several servers start together).
    const start = async (): Promise<ServerProcess> => {
      const { startServerProcess } = await import('./mcp/process.js');
      try {
        return await startServerProcess(process.env);
      } catch {
        await new Promise((r) => setTimeout(r, 250));
        return startServerProcess(process.env);
      }
    };
    opening ??= start().then(
      (opened) => opened,
      (error) => {
        opening = null;
        throw error;
      },
    );
    return opening;
  };

  let opened: ServerProcess | undefined;
  let started = false;
  // Open early so the first call is fast, but after the tools/list answer (or OPEN_AFTER_MS):
  // a failure here is reported and retried on use.
  const openSoon = (): void => {
    if (started) return;
    started = true;
    app().then((a) => (opened = a), (error) => console.error(`claude-orchestrator: ${describeError(error)}`));
  };
  const replies = new WrittenReplies();
  const server = createServer(async () => (await app()).ctx, packageVersion(), {
    sessionId: () => opened?.clientSessionId(),
    replies,
  });
  let closing = false;
  const shutdown = async (reason: string): Promise<void> => {
    if (closing) return;
    closing = true;
    try {
      if (opening) await (await opening.catch(() => null))?.close(reason);
      await server.close();
    } catch (error) {
      console.error(`claude-orchestrator: shutting down: ${describeError(error)}`);
    }
    process.exit(0);
  };

  // The stdio transport does not notice its client going away: watch stdin ourselves.
  process.stdin.on('end', () => void shutdown('client disconnected'));
  process.stdin.on('close', () => void shutdown('client disconnected'));
  // A client that closed its end of our stdout is gone too: EPIPE ends us quietly, not with an
  // unhandled 'error' and a stack trace.
  process.stdout.on('error', () => void shutdown('client disconnected'));
  process.on('SIGINT', () => void shutdown('interrupted'));
  process.on('SIGTERM', () => void shutdown('terminated'));
  process.on('SIGHUP', () => void shutdown('hang-up'));

  const stdio = transport(() => setImmediate(openSoon));
  replies.watch(stdio, flushedTo(process.stdout));
  await server.connect(stdio);
  answerUnreadable(stdio);
  setTimeout(openSoon, OPEN_AFTER_MS).unref();
}

/**
 * The stdio transport, calling `listed` once the first tools/list answer has been written. It reads
 * stdin through `limitLines`: a message over `MAX_MESSAGE_BYTES` never reaches the protocol layer
 * and is answered with a JSON-RPC error (invalid request) when its id could be read, else with a
 * log notification; either way it is logged on stderr.
 */
function transport(listed: () => void): StdioServerTransport {
  const refused = (message: RefusedMessage): void => {
    const text = refusalText(message);
    console.error(`claude-orchestrator: ${text}`);
    const reply: JSONRPCMessage =
      message.method !== undefined && message.id !== undefined
        ? { jsonrpc: '2.0', id: message.id, error: { code: INVALID_REQUEST, message: text } }
        : { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'error', logger: 'claude-orchestrator', data: text } };
    stdio.send(reply).catch(() => undefined);
  };
  const stdio = new StdioServerTransport(limitLines(process.stdin, { onRefused: refused }), process.stdout);
  const send = stdio.send.bind(stdio);
  let seen = false;
  stdio.send = async (message: JSONRPCMessage) => {
    await send(message);
    if (!seen && 'result' in message && message.result && typeof message.result === 'object' && 'tools' in message.result) {
      seen = true;
      listed();
    }
  };
  return stdio;
}

/**
 * A line that is not JSON, or not a JSON-RPC message, is dropped by the SDK's transport with only
 * an `onerror`: answer it as JSON-RPC 2.0 says (section 5.1: id null, -32700 parse error or
 * -32600 invalid request), so a client that wrote it hears why.
 */
function answerUnreadable(stdio: StdioServerTransport): void {
  const previous = stdio.onerror;
  stdio.onerror = (error: Error) => {
    previous?.(error);
    const parse = error instanceof SyntaxError;
    if (!parse && error?.name !== 'ZodError') return;
    const message = parse ? `parse error: a line is not JSON (${error.message})` : 'invalid request: a line is JSON but not a JSON-RPC 2.0 message';
    stdio.send({ jsonrpc: '2.0', id: null, error: { code: parse ? -32700 : INVALID_REQUEST, message } } as unknown as JSONRPCMessage).catch(() => undefined);
  };
}

/** JSON-RPC's code for a request that is not valid as such. */
const INVALID_REQUEST = -32600;

main().catch((error) => {
  console.error(`claude-orchestrator: ${describeError(error)}`);
  process.exit(1);
});
