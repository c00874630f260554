// The server's life: protocol only on stdout, ends its session and exits when the client goes away.
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SERVER_ENTRY, makePlatform, startServer } from './helpers/mcp.js';

const platform = makePlatform();

function exited(child: ReturnType<typeof spawn>, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server still running after ${ms} ms`)), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** A server spoken to in raw JSON-RPC lines (no SDK), registered for `repoPath`. */
async function rawServerWithSession(repoPath: string) {
  const child = spawn(process.execPath, [SERVER_ENTRY], { env: { ...process.env, ...platform.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { text: '' };
  child.stdout!.on('data', (d: Buffer) => (out.text += d.toString()));
  const send = (message: object) => child.stdin!.write(`${JSON.stringify(message)}\n`);
  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'register_session', arguments: { repoPath, projectGroup: 'my-platform' } } });
  const deadline = Date.now() + 10_000;
  while (!out.text.includes('"id":2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const sessionId = /sessionId\\":\\"([^\\]+)/.exec(out.text)?.[1];
  assert.ok(sessionId, `registered: ${out.text}`);
  return { child, out, sessionId: sessionId! };
}

test('exits when stdin closes, and its session shows ended', async () => {
  const { child, out, sessionId } = await rawServerWithSession(platform.repos.gateway);
  child.stdin!.end();
  assert.is(await exited(child, 5000), 0);

  // Every line on stdout was a JSON-RPC message.
  for (const line of out.text.split('\n').filter(Boolean)) assert.is(JSON.parse(line).jsonrpc, '2.0');

  const observer = await startServer(platform.env);
  const all = await observer.call<{ sessions: Array<{ sessionId: string; status: string }> }>('list_group_sessions', { projectGroup: 'my-platform', includeInactive: true });
  assert.is(all.sessions.find((s) => s.sessionId === sessionId)?.status, 'ended');
  const active = await observer.call<{ sessions: Array<{ sessionId: string }> }>('list_group_sessions', { projectGroup: 'my-platform' });
  assert.not.ok(active.sessions.some((s) => s.sessionId === sessionId));
  await observer.close();
});

test('a killed server leaves its session stale, not active', async () => {
  const { child, sessionId } = await rawServerWithSession(platform.repos.frontend);
  child.kill('SIGKILL');
  await exited(child, 5000);

  const observer = await startServer(platform.env);
  const all = await observer.call<{ sessions: Array<{ sessionId: string; status: string }> }>('list_group_sessions', { projectGroup: 'my-platform', includeInactive: true });
  assert.is(all.sessions.find((s) => s.sessionId === sessionId)?.status, 'stale');
  await observer.close();
});

test('a damaged coordination repo fails each call with the reason, and the server keeps serving', async () => {
  const { mkdirSync, rmSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const damaged = makePlatform();
  const gitDir = join(damaged.home, 'coordination.git');
  mkdirSync(gitDir, { recursive: true });
  writeFileSync(join(gitDir, 'junk'), 'not a repo');
  const server = await startServer(damaged.env);
  const args = { repoPath: damaged.repos.auth, projectGroup: 'my-platform' };
  const message = await server.callError('register_session', args);
  assert.match(message, /not a git repository/);
  assert.match(message, /claude-orchestrator init/);
  // Once the problem is fixed, the same server serves.
  rmSync(gitDir, { recursive: true, force: true });
  const ok = await server.call<{ sessionId: string }>('register_session', args);
  assert.ok(ok.sessionId);
  assert.not.match(server.stderr(), /\n\s+at /, 'no stack trace');
  await server.close();
});

test('with its client\'s session id and project dir, the server registers that session itself; a hand registration is the same one', async () => {
  const env = { ...platform.env, CLAUDE_CODE_SESSION_ID: 'client-abc-123', CLAUDE_PROJECT_DIR: platform.repos.gateway };
  const server = await startServer(env);
  const observer = await startServer(platform.env);
  try {
    let auto: { sessionId: string } | undefined;
    const deadline = Date.now() + 10_000;
    while (!auto && Date.now() < deadline) {
      const { sessions } = await observer.call<{ sessions: Array<{ sessionId: string; role: string; repoPath: string }> }>('list_group_sessions', { projectGroup: 'my-platform' });
      auto = sessions.find((s) => s.role === 'gateway' && s.repoPath === platform.repos.gateway);
      if (!auto) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(auto, 'registered without a register_session call');
    const byHand = await server.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.gateway, projectGroup: 'my-platform' });
    assert.is(byHand.sessionId, auto!.sessionId);
    const { sessions } = await observer.call<{ sessions: Array<{ role: string }> }>('list_group_sessions', { projectGroup: 'my-platform', includeInactive: true });
    assert.is(sessions.filter((s) => s.role === 'gateway' && (s as { sessionId?: string }).sessionId === auto!.sessionId).length, 1);
  } finally {
    await server.close();
    await observer.close();
  }
});

test('a client that closes its end of stdout: the server exits quietly, its session ended', async () => {
  const { child, sessionId } = await rawServerWithSession(platform.repos.frontend);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.destroy();
  // Its next answers meet a closed pipe (EPIPE).
  for (let id = 10; id < 14; id++) child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list' })}\n`);
  assert.is(await exited(child, 5000), 0, stderr);
  assert.not.match(stderr, /Unhandled 'error'|EPIPE/);
  const server = await startServer(platform.env);
  try {
    const listed = await server.call<{ sessions: Array<{ sessionId: string; status: string }> }>('list_group_sessions', { projectGroup: 'my-platform', includeInactive: true });
    assert.is(listed.sessions.find((s) => s.sessionId === sessionId)?.status, 'ended');
  } finally {
    await server.close();
  }
});

test.run();
