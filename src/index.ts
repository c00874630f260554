#!/usr/bin/env -S node --max-semi-space-size=1
// (The flag is SERVER_NODE_FLAGS, src/config/node-flags.ts; `node dist/index.js` works without it.)
// The stdio MCP server. stdout carries the protocol and nothing else; logs go to stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { describeError } from './app/errors.js';
import { packageVersion } from './config/version.js';
import { startServerProcess, type ServerProcess } from './mcp/process.js';
import { createServer } from './mcp/server.js';

// A stray console.log from any dependency would corrupt the protocol stream.
console.log = console.error;
console.info = console.error;

async function main(): Promise<void> {
  // Opened on first use and retried after a failure: a missing or damaged coordination repo
  // makes each call fail with the reason, while the server keeps serving.
  let opening: Promise<ServerProcess> | null = null;
  const app = (): Promise<ServerProcess> => {
    opening ??= startServerProcess(process.env).then(
      (opened) => opened,
      (error) => {
        opening = null;
        throw error;
      },
    );
    return opening;
  };

  let opened: ServerProcess | undefined;
  void app().then((a) => (opened = a), () => undefined);
  const server = createServer(async () => (await app()).ctx, packageVersion(), {
    sessionId: () => opened?.clientSessionId(),
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

  await server.connect(transport());
  // Open early so the first call is fast; a failure here is reported and retried on use.
  app().catch((error) => console.error(`claude-orchestrator: ${describeError(error)}`));
}

function transport(): StdioServerTransport {
  return new StdioServerTransport();
}

main().catch((error) => {
  console.error(`claude-orchestrator: ${describeError(error)}`);
  process.exit(1);
});
