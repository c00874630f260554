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
  process.on('SIGINT', () => void shutdown('interrupted'));
  process.on('SIGTERM', () => void shutdown('terminated'));
  process.on('SIGHUP', () => void shutdown('hang-up'));

  const stdio = transport(() => setImmediate(openSoon));
  replies.watch(stdio, flushedTo(process.stdout));
  await server.connect(stdio);
  setTimeout(openSoon, OPEN_AFTER_MS).unref();
}

/** The stdio transport, calling `listed` once the first tools/list answer has been written. */
function transport(listed: () => void): StdioServerTransport {
  const stdio = new StdioServerTransport();
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

main().catch((error) => {
  console.error(`claude-orchestrator: ${describeError(error)}`);
  process.exit(1);
});
