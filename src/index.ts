#!/usr/bin/env node
// The stdio MCP server. stdout carries the protocol and nothing else; logs go to stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { openApp } from './app/open.js';
import { createServer } from './mcp/server.js';
import { packageVersion } from './config/version.js';
import { describeError } from './app/errors.js';

// A stray console.log from any dependency would corrupt the protocol stream.
console.log = console.error;
console.info = console.error;

async function main(): Promise<void> {
  const app = await openApp({ env: process.env, owner: 'server' });
  const server = createServer(app.orchestrator, packageVersion());
  const transport = new StdioServerTransport();

  let closing = false;
  const shutdown = async (reason: string): Promise<void> => {
    if (closing) return;
    closing = true;
    try {
      await app.close(reason);
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

  await server.connect(transport);
  await app.start();
}

main().catch((error) => {
  console.error(`claude-orchestrator: ${describeError(error)}`);
  process.exit(1);
});
