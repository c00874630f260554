// Claude Code's hooks against real member repos, real MCP server processes and the real hook
// entry, fed the JSON Claude Code's documentation shows for each event.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sessionIdFor } from '../src/app/ids.js';
import { commitAll, install, waitFor } from './helpers/hooks.js';
import { hookJson, runHook } from './helpers/claude.js';
import { makePlatform, startServer, type Server } from './helpers/mcp.js';

const platform = makePlatform();
const { auth, frontend } = platform.repos;
const CLIENT = 'c0ffee00-1111-4222-8333-444455556666';
const FRONTEND_SESSION = sessionIdFor('frontend', CLIENT, 'my-platform');
// Hooks get CLAUDE_PROJECT_DIR from Claude Code; the session id comes in the JSON.
const hookEnv = { ...platform.env, CLAUDE_PROJECT_DIR: frontend };
let authServer: Server;
let frontendServer: Server;
let authSession: string;

const context = (r: { json: { hookSpecificOutput?: { additionalContext: string } } | null }) => r.json?.hookSpecificOutput?.additionalContext ?? '';

test.before(async () => {
  authServer = await startServer({ ...platform.env, CLAUDE_PROJECT_DIR: auth, CLAUDE_CODE_SESSION_ID: 'auth-client-1' });
  authSession = (await authServer.call<{ sessionId: string }>('register_session', { repoPath: auth, projectGroup: 'my-platform' })).sessionId;
});

test.after(async () => {
  await authServer?.close();
  await frontendServer?.close();
});

test('SessionStart registers the session for the project dir, and the server of the same session uses it', async () => {
  const start = await runHook('session-start', hookJson('session-start', CLIENT, frontend), hookEnv);
  assert.is(start.code, 0);
  assert.is(start.json?.hookSpecificOutput?.hookEventName, 'SessionStart');
  assert.match(context(start), `this session is ${FRONTEND_SESSION}, role frontend in group my-platform`);

  // Claude Code starts its MCP server with the same client session id and project dir.
  frontendServer = await startServer({ ...platform.env, CLAUDE_PROJECT_DIR: frontend, CLAUDE_CODE_SESSION_ID: CLIENT });
  const beat = await frontendServer.call<{ sessionId: string }>('heartbeat', { sessionId: FRONTEND_SESSION });
  assert.is(beat.sessionId, FRONTEND_SESSION);
  const { sessions } = await frontendServer.call<{ sessions: Array<{ sessionId: string; role: string; status: string }> }>(
    'list_group_sessions', { projectGroup: 'my-platform' });
  assert.equal(sessions.filter((s) => s.role === 'frontend').map((s) => [s.sessionId, s.status]), [[FRONTEND_SESSION, 'active']]);

  // A second SessionStart (resume) finds the same session instead of adding one.
  const again = await runHook('session-start', hookJson('session-start', CLIENT, frontend, { source: 'resume' }), hookEnv);
  assert.match(context(again), FRONTEND_SESSION);
  const after = await frontendServer.call<{ sessions: Array<{ role: string }> }>('list_group_sessions', { projectGroup: 'my-platform', includeInactive: true });
  assert.is(after.sessions.filter((s) => s.role === 'frontend').length, 1);
});

test('UserPromptSubmit shows the schema change auth announced, once; get_cross_project_updates still has it', async () => {
  const quiet = await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), hookEnv);
  assert.is(quiet.code, 0);
  assert.is(quiet.stdout, '');

  await authServer.call('notify_related_sessions', {
    sessionId: authSession, changeType: 'schema_change', summary: 'Renamed field user.name to user.fullName',
  });
  const shown = await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), hookEnv);
  assert.is(shown.code, 0);
  assert.is(shown.json?.hookSpecificOutput?.hookEventName, 'UserPromptSubmit');
  assert.match(context(shown), /\[high\] auth via gateway schema_change: Renamed field user.name to user.fullName \(ev-/);
  assert.match(context(shown), `get_cross_project_updates (sessionId ${FRONTEND_SESSION})`);

  const twice = await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), hookEnv);
  assert.is(twice.stdout, '');
  const afterTool = await runHook('post-tool-use', hookJson('post-tool-use', CLIENT, frontend), hookEnv);
  assert.is(afterTool.stdout, '');

  const { updates } = await frontendServer.call<{ updates: Array<{ summary: string }> }>('get_cross_project_updates', { sessionId: FRONTEND_SESSION });
  assert.equal(updates.map((u) => u.summary), ['Renamed field user.name to user.fullName']);
});

test('PostToolUse shows an update that arrived during the turn, as additionalContext', async () => {
  await authServer.call('notify_related_sessions', {
    sessionId: authSession, changeType: 'breaking_change', summary: 'Dropped /v1/login', priority: 'critical',
  });
  const shown = await runHook('post-tool-use', hookJson('post-tool-use', CLIENT, frontend), hookEnv);
  assert.is(shown.json?.hookSpecificOutput?.hookEventName, 'PostToolUse');
  assert.match(context(shown), '[critical] auth breaking_change: Dropped /v1/login');
  assert.is((await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), hookEnv)).stdout, '');
});

test('PostToolUse with a 10 MB tool result: its fields are read from the start of the input, unparsed', async () => {
  await authServer.call('notify_related_sessions', {
    sessionId: authSession, changeType: 'breaking_change', summary: 'Dropped /v1/logout', priority: 'critical',
  });
  const big = hookJson('post-tool-use', CLIENT, frontend, { tool_input: { file_path: '/path/to/big.txt', content: 'x'.repeat(10 * 1024 * 1024) } });
  const started = performance.now();
  const shown = await runHook('post-tool-use', big, hookEnv);
  assert.match(context(shown), '[critical] auth breaking_change: Dropped /v1/logout');
  assert.ok(performance.now() - started < 3000, 'within the hook budget');
  // Read once: what a quiet turn shows next is nothing.
  assert.is((await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), hookEnv)).stdout, '');
});

test('Stop blocks while a critical update is unread, and lets go once it is read', async () => {
  const blocked = await runHook('stop', hookJson('stop', CLIENT, frontend), hookEnv);
  assert.is(blocked.code, 0);
  // Claude Code's non-error form for Stop: the reason as additionalContext, shown once.
  assert.is(blocked.json?.hookSpecificOutput?.hookEventName, 'Stop');
  assert.is(blocked.json?.decision, undefined);
  assert.match(context(blocked), 'Dropped /v1/login');
  await frontendServer.call('get_cross_project_updates', { sessionId: FRONTEND_SESSION });
  assert.is((await runHook('stop', hookJson('stop', CLIENT, frontend), hookEnv)).stdout, '');
});

test('Stop blocks while a sync point waits on frontend and lets go after it is acknowledged', async () => {
  const { syncPointId } = await authServer.call<{ syncPointId: string }>('request_sync_point', {
    sessionId: authSession, description: 'Switch every client to fullName before the migration', participants: ['frontend'],
  });
  const shown = await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), hookEnv);
  assert.match(context(shown), `sync point ${syncPointId} from auth waits on frontend`);

  const blocked = await runHook('stop', hookJson('stop', CLIENT, frontend), hookEnv);
  assert.is(blocked.json?.hookSpecificOutput?.hookEventName, 'Stop');
  assert.match(context(blocked), syncPointId);
  // Already continuing because of a Stop hook: no second block in the same turn.
  assert.is((await runHook('stop', hookJson('stop', CLIENT, frontend, { stop_hook_active: true }), hookEnv)).stdout, '');

  await frontendServer.call('acknowledge_sync_point', { sessionId: FRONTEND_SESSION, syncPointId });
  const free = await runHook('stop', hookJson('stop', CLIENT, frontend), hookEnv);
  assert.is(free.code, 0);
  assert.is(free.stdout, '');
});

test('a schema change auth commits reaches frontend through commit ingestion, once', async () => {
  await install(auth, platform.home);
  mkdirSync(join(auth, 'prisma'), { recursive: true });
  writeFileSync(join(auth, 'prisma/schema.prisma'), 'model User { id Int\n fullName String }\n');
  const sha = commitAll(auth, 'Rename user.name to fullName in the schema', { ...process.env, ...platform.env });
  const shown = await waitFor('the committed change in the hook output', async () => {
    const r = await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), hookEnv);
    return context(r).includes(sha.slice(0, 7)) ? r : null;
  }, 15_000, 100);
  assert.match(context(shown), /auth via gateway schema_change commit [0-9a-f]{7}: /);
  assert.is((await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), hookEnv)).stdout, '');
});

test('a new context (SessionStart clear) is shown everything pending again', async () => {
  await authServer.call('notify_related_sessions', { sessionId: authSession, changeType: 'schema_change', summary: 'Added user.avatarUrl' });
  assert.match(context(await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), hookEnv)), 'Added user.avatarUrl');
  const cleared = await runHook('session-start', hookJson('session-start', CLIENT, frontend, { source: 'clear' }), hookEnv);
  assert.match(context(cleared), 'Added user.avatarUrl');
});

test('the hooks\' read cache: a damaged or missing cache changes nothing but time', async () => {
  const cacheFile = join(platform.home, 'cache', 'claude-hooks-index.json');
  await authServer.call('notify_related_sessions', { sessionId: authSession, changeType: 'schema_change', summary: 'Added user.locale' });
  writeFileSync(cacheFile, '{"format":1,"gitDir":');
  assert.match(context(await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), hookEnv)), 'Added user.locale');
  await authServer.call('notify_related_sessions', { sessionId: authSession, changeType: 'schema_change', summary: 'Added user.timezone' });
  // A cache naming a tip git does not have: dropped, everything read again.
  const cache = JSON.parse(readFileSync(cacheFile, 'utf8'));
  for (const ref of Object.keys(cache.tips)) cache.tips[ref] = '0123456789abcdef0123456789abcdef01234567';
  writeFileSync(cacheFile, JSON.stringify(cache));
  const shown = await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), hookEnv);
  assert.match(context(shown), 'Added user.timezone');
  assert.not.match(context(shown), 'Added user.locale');
  await authServer.call('notify_related_sessions', { sessionId: authSession, changeType: 'schema_change', summary: 'Added user.country' });
  const off = await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), { ...hookEnv, CLAUDE_ORCHESTRATOR_HOOK_CACHE: 'off' });
  assert.match(context(off), 'Added user.country');
});

test('failures print nothing and exit 0', async () => {
  const cases: Array<[string, unknown, Record<string, string>]> = [
    ['user-prompt-submit', 'not json {', hookEnv],
    ['user-prompt-submit', hookJson('user-prompt-submit', CLIENT, '/nowhere/at/all'), { ...platform.env, CLAUDE_PROJECT_DIR: '/nowhere/at/all' }],
    ['session-start', hookJson('session-start', 'other-client', '/tmp'), { ...platform.env, CLAUDE_PROJECT_DIR: '/tmp' }],
    ['stop', hookJson('stop', CLIENT, frontend), { ...hookEnv, CLAUDE_ORCHESTRATOR_HOME: join(platform.home, 'missing') }],
    ['no-such-event', {}, hookEnv],
    ['stop', hookJson('stop', CLIENT, frontend), { ...hookEnv, CLAUDE_ORCHESTRATOR_HOOKS: 'off' }],
  ];
  for (const [event, input, env] of cases) {
    const r = await runHook(event, input, env);
    assert.is(r.code, 0, `${event} exit code`);
    assert.is(r.stdout, '', `${event} printed ${r.stdout}`);
  }
  // A damaged coordination repo: still nothing, still 0.
  const broken = join(platform.home, 'broken');
  mkdirSync(join(broken, 'coordination.git'), { recursive: true });
  writeFileSync(join(broken, 'coordination.git', 'HEAD'), 'garbage');
  const r = await runHook('user-prompt-submit', hookJson('user-prompt-submit', CLIENT, frontend), { ...hookEnv, CLAUDE_ORCHESTRATOR_HOME: broken });
  assert.is(r.code, 0);
  assert.is(r.stdout, '');
});

test.run();
