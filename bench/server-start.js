// How fast the MCP server is ready, as Claude Code measures it: from spawning the process to the
// answer to its first `tools/list` (Claude Code sends initialize, notifications/initialized and
// tools/list; print mode sends the first model request while servers still connect, and a server
// that has not answered by then is left out of it). In the same run: `node -e 0` (spawn to exit)
// and a minimal MCP SDK server with one tool, the floor any SDK server pays. Our server runs as
// Claude Code starts it: a coordination repo with a topology, CLAUDE_CODE_SESSION_ID and
// CLAUDE_PROJECT_DIR naming a member repo (so it registers the session after answering).
// `node bench/server-start.js` after `npm run build`; ROUNDS=<n> to change the 15 rounds.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openApp } from '../dist/app/open.js';
import { makeRepo, stats } from './lib.js';

const ROUNDS = Number(process.env.ROUNDS) || 15;
const SERVER = resolve('dist/index.js');
const SDK_SERVER = `
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
const server = new McpServer({ name: 'minimal', version: '1.0.0' });
server.registerTool('echo', { description: 'Echoes its text', inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
await server.connect(new StdioServerTransport());
`;

const messages = [
  { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} },
];

/** Spawns `args`, sends Claude Code's opening messages, resolves with ms until the tools/list answer. */
function untilToolsList(args, env, cwd) {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let buffer = '';
    let answered = false;
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let message;
        try {
          message = JSON.parse(line);
        } catch {
          continue;
        }
        if (message.id === 1) {
          child.stdin.write(`${JSON.stringify(messages[1])}\n${JSON.stringify(messages[2])}\n`);
        } else if (message.id === 2 && !answered) {
          answered = true;
          const ms = performance.now() - started;
          child.stdin.end();
          child.kill('SIGINT');
          child.on('close', () => done(ms));
        }
      }
    });
    child.on('error', fail);
    child.on('close', (code) => {
      if (!answered) fail(new Error(`exited (${code}) before answering tools/list`));
    });
    child.stdin.write(`${JSON.stringify(messages[0])}\n`);
  });
}

function nodeBaseline() {
  const started = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - started;
}

const root = mkdtempSync(join(tmpdir(), 'bench-server-start-'));
try {
  const home = join(root, 'home');
  const repos = Object.fromEntries(['auth', 'gateway', 'frontend'].map((r) => [r, makeRepo(join(root, r))]));
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'topology.yml'), `version: "1.0"
groups:
  my-platform:
    members:
      - { path: ${repos.auth}, role: auth }
      - { path: ${repos.gateway}, role: gateway, dependsOn: [auth] }
      - { path: ${repos.frontend}, role: frontend, dependsOn: [gateway] }
`);
  const env = { PATH: process.env.PATH ?? '', HOME: root, CLAUDE_ORCHESTRATOR_HOME: home, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  (await openApp({ env })).close(); // the coordination repo exists, as after `init`
  const sdkFile = join(resolve('bench'), `.minimal-sdk-server-${process.pid}.mjs`);
  writeFileSync(sdkFile, SDK_SERVER);
  try {
    const samples = { node: [], sdk: [], ours: [] };
    for (let i = 0; i < ROUNDS; i++) {
      // Interleaved, so load changes hit all three alike.
      samples.node.push(nodeBaseline());
      samples.sdk.push(await untilToolsList([sdkFile], env, root));
      samples.ours.push(await untilToolsList(['--max-semi-space-size=1', SERVER], {
        ...env, CLAUDE_CODE_SESSION_ID: `bench-${i}`, CLAUDE_PROJECT_DIR: repos.frontend,
      }, repos.frontend));
    }
    const base = stats(samples.node).median;
    const rows = [
      ['baseline: node -e 0 (spawn to exit)', samples.node],
      ['minimal MCP SDK server, one tool: spawn to tools/list answer', samples.sdk],
      ['claude-orchestrator server: spawn to tools/list answer', samples.ours],
    ];
    console.log(`${ROUNDS} rounds each, interleaved\n`);
    console.log('| what | median ms | p95 ms | × node -e 0 |\n| --- | ---: | ---: | ---: |');
    for (const [name, s] of rows) {
      const { median, p95 } = stats(s);
      console.log(`| ${name} | ${median.toFixed(0)} | ${p95.toFixed(0)} | ${(median / base).toFixed(1)} |`);
    }
  } finally {
    rmSync(sdkFile, { force: true });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
