// The real Claude Code (pinned, from npm, cached in .cache/claude-code) driving our MCP server and
// hooks, with a scripted Messages API in place of the model. The README's example is set up as a
// new user would (`init`, `setup claude-code`) in a temp HOME, and the seed's workflow is walked
// across its three repos: auth announces a schema change and asks for a sync point (parallel tool
// calls); gateway reads it, announces a breaking change, is kept going by the Stop hook until it
// acknowledges; frontend sees everything at start once, reads, acknowledges, is told of a later
// change once on its next prompt, and is resumed. The assertions are on what Claude Code sent
// the model (the request bodies): tools, server instructions, each hook's context once, the
// Stop hook's reason once.
// If Claude Code cannot be installed (no network), the test says so in one line and skips.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureClaudeCode, runClaude, sessionIdOf, skipLine, type ClaudeRun } from './helpers/claude-code.js';
import { makeClaudeProject, type ClaudeProject } from './helpers/claude-project.js';
import { occurrences, requestText, startMessagesApi, type MessagesApi, type MessagesRequest, type Reply, type Turn } from './helpers/messages-api.js';
import { startServer } from './helpers/mcp.js';
import { INSTRUCTIONS } from '../src/mcp/server.js';

const MCP = 'mcp__claude-orchestrator__';
const OUR_TOOLS = [
  'acknowledge_sync_point', 'get_cross_project_updates', 'get_pending_sync_points', 'get_topology', 'get_update', 'heartbeat', 'list_group_sessions',
  'notify_related_sessions', 'query_project_state', 'register_session', 'request_sync_point', 'unregister_session',
].map((n) => MCP + n);

const SCHEMA = 'Renamed field user.name to user.fullName in the User model';
const BREAKING = 'Dropped the /v1/login endpoint; use /v2/session';
const LATER = 'Added the optional field user.locale to the User model';
const SYNC = 'Switch to user.fullName, then acknowledge';

/** The orchestrator session id the SessionStart hook gave the model. */
function sessionOf(request: MessagesRequest): string {
  const id = /this session is (\S+),/.exec(requestText(request))?.[1];
  if (!id) throw new Error('no SessionStart context naming the session in the request');
  return id;
}
const syncPointOf = (request: MessagesRequest): string => /sp-[0-9a-f]{6,}/.exec(requestText(request))?.[0] ?? 'none';
const call = (name: string, input: Record<string, unknown>) => ({ name: MCP + name, input });
const load = (...names: string[]): Reply => ({ tools: [{ name: 'ToolSearch', input: { query: `select:${names.map((n) => MCP + n).join(',')}` } }] });

interface Run extends ClaudeRun {
  api: MessagesApi;
  /** The conversation's requests (those the script answered). */
  turns: MessagesRequest[];
  /** The last request: the whole conversation as the model last saw it. */
  last: string;
}

let project: ClaudeProject;
const timings: string[] = [];

async function drive(name: string, cwd: string, prompts: string[], script: Turn[], extraEnv: Record<string, string> = {}, args: string[] = []): Promise<Run> {
  const api = await startMessagesApi(script, { sideReply: 'ok' });
  try {
    const env = {
      ...project.env,
      ANTHROPIC_BASE_URL: api.url,
      ANTHROPIC_API_KEY: 'sk-ant-test-not-a-key',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      ...extraEnv,
    };
    const run = await runClaude({ cwd, env, prompts, args });
    timings.push(`${name} ${(run.ms / 1000).toFixed(1)} s`);
    const turns = api.turns().map((r) => r.body!);
    const diagnostics = `${name}: exit ${run.code}\nstderr: ${run.stderr.slice(0, 2000)}\nresult: ${JSON.stringify(run.events.filter((e) => e.type === 'result'))}`;
    assert.is(run.code, 0, diagnostics);
    assert.is(api.pending(), 0, `${name}: ${api.pending()} scripted turns were never asked for\n${diagnostics}`);
    const last = requestText(turns[turns.length - 1]!);
    // E2E_DUMP=<dir> keeps every request body and the last conversation, to read after a failure.
    if (process.env.E2E_DUMP) {
      mkdirSync(process.env.E2E_DUMP, { recursive: true });
      writeFileSync(join(process.env.E2E_DUMP, `${name.replace(/\W+/g, '-')}.requests.json`), JSON.stringify(api.requests, null, 1));
      writeFileSync(join(process.env.E2E_DUMP, `${name.replace(/\W+/g, '-')}.last.txt`), last);
    }
    return { ...run, api, turns, last };
  } finally {
    await api.close();
  }
}

const STATE: { skip?: string; auth?: Run; gateway?: Run; frontend?: Run; resumed?: Run; syncPoint?: string } = {};

test.before(async () => {
  STATE.skip = (await ensureClaudeCode()) ?? undefined;
  if (!STATE.skip) project = makeClaudeProject();
});

test.after(() => {
  if (timings.length) console.log(`  real Claude Code runs: ${timings.join(', ')}`);
});

test('auth: our tools are deferred (names only), the instructions are in the system prompt, parallel tool calls announce and ask for a sync point', async () => {
  if (STATE.skip) return skipLine('claude.e2e', STATE.skip);
  const auth = await drive('auth', project.repos.auth, ['Rename user.name to user.fullName, tell the others and wait for them'], [
    load('notify_related_sessions', 'request_sync_point'),
    (r) => ({ tools: [
      call('notify_related_sessions', { sessionId: sessionOf(r), changeType: 'schema_change', summary: SCHEMA }),
      call('request_sync_point', { sessionId: sessionOf(r), description: SYNC }),
    ] }),
    { text: 'Announced; gateway and frontend are asked to acknowledge.' },
  ]);
  STATE.auth = auth;
  const first = auth.turns[0]!;
  // Deferred loading: no schema of ours in the first request's tools, every name in the context.
  assert.is(first.tools!.filter((t) => t.name.startsWith(MCP)).length, 0);
  const firstText = requestText(first);
  for (const name of OUR_TOOLS) assert.is(occurrences(firstText, name), 1, name);
  // The server instructions, verbatim, once, in the system prompt.
  // (This version sends them in a system-role message of `messages`, after the environment.)
  assert.is(occurrences(firstText, `# MCP Server Instructions\n`), 1);
  assert.is(occurrences(firstText, `## claude-orchestrator\n${INSTRUCTIONS}`), 1);
  // The SessionStart context, once, in a system message.
  assert.is(occurrences(auth.last, 'SessionStart hook additional context: claude-orchestrator: this session is auth-'), 1);
  // ToolSearch loaded the two schemas; both calls succeeded.
  assert.equal(auth.turns[1]!.tools!.filter((t) => t.name.startsWith(MCP)).map((t) => t.name).sort(), [MCP + 'notify_related_sessions', MCP + 'request_sync_point']);
  assert.match(auth.last, /"notifiedRoles":\["gateway","frontend"\]/);
  STATE.syncPoint = /"syncPointId":"(sp-[0-9a-f]+)"/.exec(auth.last)?.[1];
  assert.ok(STATE.syncPoint, auth.last.slice(-600));
  // Nothing waits on auth: no hook added anything else, the Stop hook let it end.
  assert.not.match(auth.last, /UserPromptSubmit hook|PostToolUse hook|Stop hook/);
  assert.is(auth.turns.length, 3);
});

test('gateway (ENABLE_TOOL_SEARCH=false): all schemas sent; start context once; the Stop hook keeps it going until it acknowledges', async () => {
  if (STATE.skip) return;
  const gateway = await drive('gateway', project.repos.gateway, ['Anything from upstream?'], [
    (r) => ({ tools: [call('get_cross_project_updates', { sessionId: sessionOf(r) })] }),
    (r) => ({ tools: [call('notify_related_sessions', { sessionId: sessionOf(r), changeType: 'breaking_change', summary: BREAKING })] }),
    { text: 'Gateway updated.' },
    // The Stop hook's reason arrives here.
    (r) => ({ tools: [call('acknowledge_sync_point', { sessionId: sessionOf(r), syncPointId: syncPointOf(r) })] }),
    { text: 'Acknowledged the sync point.' },
  ], { ENABLE_TOOL_SEARCH: 'false' });
  STATE.gateway = gateway;
  const first = gateway.turns[0]!;
  const ours = first.tools!.filter((t) => t.name.startsWith(MCP));
  assert.equal(ours.map((t) => t.name).sort(), OUR_TOOLS);
  assert.not.ok(first.tools!.some((t) => t.name === 'ToolSearch'));
  // The start context: identity, auth's schema change and the sync point, once each.
  const start = 'SessionStart hook additional context: claude-orchestrator: this session is gateway-';
  assert.is(occurrences(gateway.last, start), 1);
  assert.is(occurrences(gateway.last, `- [high] auth schema_change: ${SCHEMA}`), 1);
  assert.is(occurrences(requestText(first), `- sync point ${STATE.syncPoint} from auth waits on gateway, frontend: ${SYNC}`), 1);
  // The Stop reason reached the model in the 4th request, and stays in the conversation.
  const reason = `claude-orchestrator: gateway has unanswered coordination work:\n- sync point ${STATE.syncPoint}`;
  assert.is(occurrences(requestText(gateway.turns[2]!), reason), 0);
  assert.ok(occurrences(requestText(gateway.turns[3]!), reason) >= 1);
  assert.match(gateway.last, /"status":"pending","remaining":\["frontend"\]/);
  // Nothing else was injected: the per-prompt hooks had nothing new.
  assert.not.match(gateway.last, /UserPromptSubmit hook|PostToolUse hook/);
});

test('the Stop hook reason reaches the model once, as feedback, without our install path', async () => {
  if (STATE.skip) return;
  const last = STATE.gateway!.last;
  const reason = `claude-orchestrator: gateway has unanswered coordination work:`;
  assert.is(occurrences(last, reason), 1, last.slice(last.indexOf('Stop hook') - 200, last.indexOf('Stop hook') + 1500));
  assert.is(occurrences(last, `Stop hook additional context: ${reason}`), 1);
  assert.not.match(last, /blocking error/i);
  assert.not.match(last, /hooks\/claude-hook/);
});

test('frontend: everything pending shown at start once; a later update shown once on the next prompt; parallel tool calls', async () => {
  if (STATE.skip) return;
  const later: Turn = async (r) => {
    // Meanwhile, auth (its own MCP server, as another Claude Code would run it) announces more.
    const server = await startServer({ HOME: project.home, PATH: project.env.PATH!, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' });
    try {
      const auth = await server.call<{ sessionId: string }>('register_session', { repoPath: project.repos.auth, projectGroup: 'my-platform' });
      await server.call('notify_related_sessions', { sessionId: auth.sessionId, changeType: 'schema_change', summary: LATER });
    } finally {
      await server.close();
    }
    return { text: `Up to date (${sessionOf(r)}).` };
  };
  const frontend = await drive('frontend', project.repos.frontend, ['What changed upstream?', 'And now?'], [
    load('get_cross_project_updates', 'list_group_sessions', 'acknowledge_sync_point'),
    (r) => ({ tools: [call('get_cross_project_updates', { sessionId: sessionOf(r) }), call('list_group_sessions', { projectGroup: 'my-platform' })] }),
    (r) => ({ tools: [call('acknowledge_sync_point', { sessionId: sessionOf(r), syncPointId: syncPointOf(r) })] }),
    later,
    { text: 'Noted the new optional field.' },
  ]);
  STATE.frontend = frontend;
  const last = frontend.last;
  assert.is(occurrences(last, 'SessionStart hook additional context: claude-orchestrator: this session is frontend-'), 1);
  assert.is(occurrences(last, `- [critical] gateway breaking_change: ${BREAKING}`), 1);
  assert.is(occurrences(last, `- [high] auth via gateway schema_change: ${SCHEMA}`), 1);
  assert.is(occurrences(last, `- sync point ${STATE.syncPoint} from auth waits on frontend: ${SYNC}`), 1);
  // The later update: not in the first prompt's requests, once in the second's.
  assert.is(occurrences(requestText(frontend.turns[3]!), LATER), 0);
  assert.is(occurrences(last, `- [high] auth via gateway schema_change: ${LATER}`), 1);
  assert.is(occurrences(last, 'UserPromptSubmit hook additional context: claude-orchestrator: 1 new cross-project update for frontend'), 1);
  assert.match(last, /"status":"resolved"/);
  // Everything was read and acknowledged: the Stop hook never blocked.
  assert.not.match(last, /Stop hook/);
});

test('frontend resumed (--resume): SessionStart runs again with source resume, and the orchestrator session is the same', async () => {
  if (STATE.skip) return;
  const id = sessionIdOf(STATE.frontend!);
  assert.ok(id, 'the init event names the Claude Code session');
  const resumed = await drive('frontend --resume', project.repos.frontend, ['Continue'], [
    (r) => ({ text: `Still ${sessionOf(r)}.` }),
  ], {}, ['--resume', id!]);
  STATE.resumed = resumed;
  const before = /this session is (frontend-\S+),/.exec(STATE.frontend!.last)![1]!;
  assert.is(sessionOf(resumed.turns[0]!), before);
  // The replayed transcript holds the first run's start context, and a new one was added.
  assert.ok(occurrences(resumed.last, `this session is ${before},`) >= 2);
});

test.run();
