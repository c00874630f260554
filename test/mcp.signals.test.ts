// Case 6 of issue 10: Claude Code ends its MCP servers with SIGINT and sends SIGTERM after a short
// grace. The server, with a session registered and its watchers running, must end the session
// and exit promptly on either signal.
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeClaudeProject } from './helpers/claude-project.js';
import { SERVER_ENTRY } from './helpers/mcp.js';

const project = makeClaudeProject();
/** What we allow between the signal and the exit (Claude Code's grace is shorter than a few seconds). */
const BUDGET_MS = 1000;

/** Starts the server as Claude Code does, waits for its tools/list answer, signals it; resolves the ms until exit. */
function signalAfterStart(signal: NodeJS.Signals, clientSession: string): Promise<{ ms: number; code: number | null; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [SERVER_ENTRY], {
      cwd: project.repos.frontend,
      env: { ...project.env, CLAUDE_CODE_SESSION_ID: clientSession, CLAUDE_PROJECT_DIR: project.repos.frontend },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    let signalled = 0;
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('"id":1,') || out.includes('"id":1}')) {
        if (!out.includes('"id":2')) {
          if (!out.includes('sent-initialized')) {
            out += 'sent-initialized';
            send({ jsonrpc: '2.0', method: 'notifications/initialized' });
            send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_group_sessions', arguments: { projectGroup: 'my-platform' } } });
          }
        } else if (!signalled) {
          // The session is registered and the app opened (its watchers run): now the signal.
          signalled = performance.now();
          child.kill(signal);
        }
      }
    });
    child.on('exit', (code) => resolvePromise({ ms: performance.now() - signalled, code, stderr }));
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'signal-test', version: '1' } } });
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal}: the server ends its session and exits within ${BUDGET_MS} ms`, async () => {
    const r = await signalAfterStart(signal, `signal-${signal.toLowerCase()}-0001`);
    console.log(`  ${signal}: exited ${r.ms.toFixed(0)} ms after the signal`);
    assert.is(r.code, 0, r.stderr);
    assert.ok(r.ms < BUDGET_MS, `${r.ms.toFixed(0)} ms\n${r.stderr}`);
    // status lists live sessions and counts ended ones; log says which ended.
    const status = project.cli(['status']);
    assert.match(status, /no sessions\n\s+\d+ ended session/, status);
    const log = project.cli(['log', '--all']);
    assert.match(log, /frontend[^\n]*session ended|session ended[^\n]*frontend|frontend[^\n]*ended/, log);
  });
}

test.run();
