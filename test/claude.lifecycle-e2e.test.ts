// /clear and /compact with the real Claude Code (issue 10, case 2): in print mode with stream-json
// input, a user message "/clear" resets the conversation (a `conversation_reset` event, a new
// session_id, SessionStart with source "clear") in the same process, and "/compact" compacts it.
// The orchestrator session must stay the one the process started with, and the cleared
// conversation must be shown the critical update that waits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openApp } from '../src/app/open.js';
import { notify } from '../src/app/operations/notify.js';
import { registerSession } from '../src/app/operations/register-session.js';
import { ensureClaudeCode, runClaude, skipLine } from './helpers/claude-code.js';
import { makeClaudeProject } from './helpers/claude-project.js';
import { occurrences, requestText, startMessagesApi } from './helpers/messages-api.js';

test('/clear keeps one orchestrator session and shows the cleared conversation what waits', async () => {
  const skip = await ensureClaudeCode();
  if (skip) return skipLine('claude.lifecycle-e2e', skip);
  const project = makeClaudeProject();
  const app = await openApp({ env: project.env });
  try {
    const auth = await registerSession(app.ctx, { repoPath: project.repos.auth, projectGroup: 'my-platform', clientSession: 'auth-e2e' });
    await notify(app.ctx, { sessionId: auth.sessionId, changeType: 'breaking_change', summary: 'Dropped /v1/login; use /v2/session', priority: 'critical' });
  } finally {
    app.close();
  }
  const api = await startMessagesApi([{ text: 'Noted.' }, { text: 'Fresh start.' }, { text: 'Summary.' }]);
  try {
    const env = { ...project.env, ANTHROPIC_BASE_URL: api.url, ANTHROPIC_API_KEY: 'test-key' };
    const run = await runClaude({ cwd: project.repos.frontend, env, prompts: ['hello', '/clear', 'after the clear', '/compact'], timeoutMs: 90_000 });
    assert.is(run.code, 0, run.stderr);
    const ids = [...new Set(run.events.map((e) => e.session_id).filter(Boolean))];
    assert.is(ids.length, 2, `a new session_id after /clear: ${ids.join(', ')}`);
    assert.ok(run.events.some((e) => e.type === 'conversation_reset'));

    // One frontend session, never a second one for the cleared conversation.
    // Every registration ever written for the role (status lists only live sessions).
    const history = JSON.parse(project.cli(['log', '--role', 'frontend', '-n', '200', '--json'])) as { entries: Array<{ kind: string; role: string; session: string | null }> };
    const registered = history.entries.filter((e) => e.kind === 'session.registered' && e.role === 'frontend');
    assert.is(registered.length, 1, JSON.stringify(registered));
    const session = registered[0]!.session!;
    const contexts = JSON.parse(readFileSync(join(project.home, '.config', 'claude-orchestrator', 'claude-code', 'sessions', `${session}.json`), 'utf8')).contexts;
    assert.equal(Object.keys(contexts).sort(), [...ids].sort());

    // Both conversations were shown the critical update, each once, as SessionStart context.
    const conversation = api.requests.filter((r) => r.body && requestText(r.body).includes('after the clear'));
    const before = api.requests.filter((r) => r.body && requestText(r.body).includes('hello'));
    assert.ok(before.length > 0 && conversation.length > 0);
    for (const request of [before[0]!, conversation[0]!]) {
      const text = requestText(request.body!);
      assert.is(occurrences(text, 'Dropped /v1/login; use /v2/session'), 1, text.slice(0, 2000));
      assert.match(text, `this session is ${session}`);
    }
    assert.not.match(requestText(conversation[0]!.body!), 'hello', 'the cleared conversation starts empty');
  } finally {
    await api.close();
  }
});

test.run();
