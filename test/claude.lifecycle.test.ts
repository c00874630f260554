// A Claude Code process through its life (issue 10, cases 2-4): /clear, a conversation id never
// announced by a SessionStart, --resume, compaction and concurrent PostToolUse hooks, at the real
// hook entry fed the JSON Claude Code sends. "Claude Code" is a long-lived child process whose pid
// the hooks get as the launcher passes it (CLAUDE_ORCHESTRATOR_CLIENT_PID).
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sessionIdFor } from '../src/app/ids.js';
import { openApp, type OpenedApp } from '../src/app/open.js';
import { notify } from '../src/app/operations/notify.js';
import { registerSession } from '../src/app/operations/register-session.js';
import { lifecycleStep } from '../src/core/client-lifecycle.js';
import { hookJson, runHook, type HookResult } from './helpers/claude.js';
import { makePlatform } from './helpers/mcp.js';

const platform = makePlatform();
const { auth, frontend } = platform.repos;
let app: OpenedApp;
let authSession: string;
const claudes: ChildProcess[] = [];

/** A stand-in for one Claude Code process: hooks name its pid as their client. */
function claudeProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
  claudes.push(child);
  return child.pid!;
}

const context = (r: HookResult) => r.json?.hookSpecificOutput?.additionalContext ?? '';
const ids = (text: string) => [...text.matchAll(/\((ev-[0-9a-f]+)[,)]/g)].map((m) => m[1]!);

async function hook(event: Parameters<typeof hookJson>[0], pid: number, sessionId: string, extra: Record<string, unknown> = {}): Promise<HookResult> {
  const result = await runHook(event, hookJson(event, sessionId, frontend, extra), {
    ...platform.env, CLAUDE_PROJECT_DIR: frontend, CLAUDE_ORCHESTRATOR_CLIENT_PID: String(pid),
  });
  assert.is(result.code, 0, result.stderr);
  return result;
}

async function announceFromAuth(summary: string, priority: 'critical' | 'high' | 'normal' = 'high'): Promise<void> {
  await notify(app.ctx, { sessionId: authSession, changeType: 'breaking_change', summary, priority });
}

async function liveFrontendSessions(): Promise<string[]> {
  await app.ctx.records.refresh();
  return [...app.ctx.state.group('my-platform').sessions.values()]
    .filter((f) => f.registered.role === 'frontend' && !f.ended && !app.ctx.env.processGone(f.pid))
    .map((f) => f.registered.session);
}

test.before(async () => {
  app = await openApp({ env: { ...process.env, ...platform.env } });
  authSession = (await registerSession(app.ctx, { repoPath: auth, projectGroup: 'my-platform', clientSession: 'auth-client' })).sessionId;
});

test.after(() => {
  for (const c of claudes) c.kill();
  app?.close();
});

test('the state machine: what each event registers, notes and shows', () => {
  const bound = { bound: true, contextSeen: true };
  const unbound = { bound: false, contextSeen: false };
  for (const source of ['startup', 'clear', 'compact', null, 'something-new']) {
    assert.equal(lifecycleStep({ kind: 'session-start', source }, unbound), { register: true, noteContext: true, show: 'everything' }, String(source));
    assert.equal(lifecycleStep({ kind: 'session-start', source }, bound), { register: false, noteContext: true, show: 'everything' }, String(source));
  }
  for (const source of ['resume', 'fork']) {
    assert.equal(lifecycleStep({ kind: 'session-start', source }, bound), { register: false, noteContext: true, show: 'new' });
    assert.equal(lifecycleStep({ kind: 'session-start', source }, unbound), { register: true, noteContext: true, show: 'new' });
  }
  assert.equal(lifecycleStep({ kind: 'prompt' }, unbound), { register: false, noteContext: false, show: 'nothing' });
  assert.equal(lifecycleStep({ kind: 'prompt' }, bound), { register: false, noteContext: false, show: 'new' });
  assert.equal(lifecycleStep({ kind: 'prompt' }, { bound: true, contextSeen: false }), { register: false, noteContext: true, show: 'everything' });
  assert.equal(lifecycleStep({ kind: 'stop' }, bound), { register: false, noteContext: false, show: 'nothing' });
});

test('case 2: /clear keeps the orchestrator session; a new id without SessionStart still gets what waits', async () => {
  const pid = claudeProcess();
  const session = sessionIdFor('frontend', 'clear-a', 'my-platform');
  const start = await hook('session-start', pid, 'clear-a');
  assert.match(context(start), `this session is ${session}`);
  await announceFromAuth('Dropped /v1/login (clear test)', 'critical');
  const first = await hook('user-prompt-submit', pid, 'clear-a');
  assert.match(context(first), '[critical] auth breaking_change: Dropped /v1/login (clear test)');

  // /clear: SessionStart with source "clear" and a new session_id, same Claude Code process.
  const cleared = await hook('session-start', pid, 'clear-b', { source: 'clear' });
  assert.match(context(cleared), `this session is ${session}`);
  assert.match(context(cleared), 'Dropped /v1/login (clear test)', 'a cleared context is shown what waits again');
  assert.equal((await liveFrontendSessions()).filter((s) => s.startsWith('frontend-')), [session], 'no second session');

  // Another /clear with no SessionStart: the first UserPromptSubmit of the new id finds the
  // session through the process and shows the critical update; the next one is quiet.
  const unseen = await hook('user-prompt-submit', pid, 'clear-c');
  assert.match(context(unseen), '[critical] auth breaking_change: Dropped /v1/login (clear test)');
  assert.match(context(unseen), `sessionId ${session}`);
  assert.is((await hook('user-prompt-submit', pid, 'clear-c')).stdout, '');
  assert.is((await hook('post-tool-use', pid, 'clear-c')).stdout, '');
  // Stop with the unseen id blocks on the unread critical update, for the same session.
  const stop = await hook('stop', pid, 'clear-d');
  assert.match(context(stop), 'Dropped /v1/login (clear test)');
  assert.equal((await liveFrontendSessions()).filter((s) => s.startsWith('frontend-')), [session]);
});

test('case 2: the session a hook registered is found by its owner pid when the binding file is gone', async () => {
  const pid = claudeProcess();
  const session = sessionIdFor('frontend', 'owner-a', 'my-platform');
  await hook('session-start', pid, 'owner-a');
  rmSync(join(platform.home, 'claude-code'), { recursive: true, force: true });
  const cleared = await hook('session-start', pid, 'owner-b', { source: 'clear' });
  assert.match(context(cleared), `this session is ${session}`);
  // Another Claude Code process in the same project is another session.
  const other = await hook('session-start', claudeProcess(), 'owner-c');
  assert.match(context(other), `this session is ${sessionIdFor('frontend', 'owner-c', 'my-platform')}`);
});

test('case 3: --resume shows only what the transcript does not hold; compact shows everything again', async () => {
  const pid = claudeProcess();
  await hook('session-start', pid, 'resume-a');
  await announceFromAuth('Removed the legacy token format (resume test)');
  const shown = await hook('user-prompt-submit', pid, 'resume-a');
  const oldIds = ids(context(shown));
  assert.ok(oldIds.length >= 1);

  // The user quits and resumes: a new Claude Code process, the same session id, source "resume".
  const pid2 = claudeProcess();
  const resumed = await hook('session-start', pid2, 'resume-a', { source: 'resume' });
  assert.match(context(resumed), 'this session is');
  for (const id of oldIds) assert.not.match(context(resumed), id, 'already in the replayed transcript');
  await announceFromAuth('Rotated the signing key (resume test)');
  const resumedAgain = await hook('session-start', pid2, 'resume-a', { source: 'resume' });
  assert.match(context(resumedAgain), 'Rotated the signing key (resume test)', 'what arrived meanwhile is new');

  // Compaction replaces the transcript with a summary: pending updates are shown again.
  const compacted = await hook('session-start', pid2, 'resume-a', { source: 'compact' });
  for (const id of oldIds) assert.match(context(compacted), id);
  assert.match(context(compacted), 'Rotated the signing key (resume test)');
});

test('case 4: 8 concurrent PostToolUse hooks with 3 pending updates show each update once in total', async () => {
  const pid = claudeProcess();
  await hook('session-start', pid, 'parallel-a');
  const quiet = await hook('post-tool-use', pid, 'parallel-a');
  assert.is(quiet.stdout, '');
  await announceFromAuth('Parallel one', 'critical');
  await announceFromAuth('Parallel two', 'high');
  await announceFromAuth('Parallel three', 'high');
  const results = await Promise.all(Array.from({ length: 8 }, () => hook('post-tool-use', pid, 'parallel-a')));
  const all = results.flatMap((r) => ids(context(r)));
  assert.is(all.length, 3, `each update once: ${JSON.stringify(results.map(context))}`);
  assert.is(new Set(all).size, 3);
  assert.is(results.filter((r) => r.stdout !== '').length, 1);
});

test.run();
