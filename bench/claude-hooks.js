// Claude Code's hooks as Claude Code runs them: one `node dist/claude-hooks/hook-main.js <event>` process
// per run, fed the documented JSON, over a coordination repo with some history. Prints the median
// (and p95) wall time per hook next to `node -e 0`, the time inside the process and its CPU, and
// the size in tokens (bytes / 4) of what the model sees: server instructions, tools/list,
// prompts/list, injected contexts and typical tool results.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { openApp } from '../dist/app/open.js';
import { INSTRUCTIONS } from '../dist/mcp/server.js';
import { GitStore as Store, sessionRef } from '../dist/store/index.js';
import { registerSession } from '../dist/app/operations/register-session.js';
import { notify } from '../dist/app/operations/notify.js';
import { requestSyncPoint } from '../dist/app/operations/request-sync-point.js';
import { heartbeat } from '../dist/app/operations/heartbeat.js';
import { makeRepo, stats } from './lib.js';

const HOOK = resolve('dist/claude-hooks/hook-main.js');
// As `setup claude-code` installs them: the shell launcher, which starts node only when needed.
const LAUNCHER = resolve('hooks/claude-hook');
const SERVER = resolve('dist/index.js');
const ROLES = ['auth', 'gateway', 'frontend'];
const CLIENT = '5f1c2a4e-0d7b-4c55-9a7e-3b8f6e2d1c90';

function topology(repos) {
  return `version: "1.0"
groups:
  my-platform:
    members:
      - { path: ${repos.auth}, role: auth }
      - { path: ${repos.gateway}, role: gateway, dependsOn: [auth] }
      - { path: ${repos.frontend}, role: frontend, dependsOn: [gateway] }
    communicationRules:
      - { when: schema_change, from: "*", notify: dependents, priority: high }
      - { when: breaking_change, from: "*", notify: all, priority: critical }
`;
}

/** Past sessions of every role, events from auth read by their receivers, heartbeats: `past` records. */
export async function buildHistory(gitDir, { sessions, past }) {
  const store = await Store.open(gitDir, { maintenance: false });
  const now = Date.now();
  let clock = 0;
  let written = 0;
  const base = (session, role, kind, extra) => ({ v: 1, kind, id: `${kind}-${session}-${clock}`, group: 'my-platform', role, session, at: now - 3_600_000 + clock, clock: ++clock, ...extra });
  const ids = Array.from({ length: sessions }, (_, i) => ({ id: `${ROLES[i % 3]}-past${i}`, role: ROLES[i % 3] }));
  const perSession = Math.max(3, Math.floor(past / sessions));
  const eventIds = [];
  for (const s of ids) {
    const batch = [base(s.id, s.role, 'session.registered', { repoPath: '/nowhere', host: 'bench-host', pid: 1 })];
    for (let i = 1; i < perSession - 1; i++) {
      if (s.role === 'auth' && i % 2 === 0) {
        const e = base(s.id, 'auth', 'event', {
          types: ['schema_change'], summary: `past change ${eventIds.length}`, priority: 'high', source: 'tool',
          targets: [{ role: 'gateway', via: [], priority: 'high' }, { role: 'frontend', via: ['gateway'], priority: 'high' }],
        });
        eventIds.push(e.id);
        batch.push(e);
      } else if (s.role !== 'auth' && i % 5 === 0 && eventIds.length) {
        batch.push(base(s.id, s.role, 'delivered', { eventIds: eventIds.slice(-20) }));
      } else {
        batch.push(base(s.id, s.role, 'session.heartbeat', { currentTask: 'working' }));
      }
    }
    batch.push(base(s.id, s.role, 'session.ended', { reason: 'done' }));
    await store.append(sessionRef(s.id), batch);
    written += batch.length;
  }
  store.close();
  return written;
}

function hookInput(event, cwd) {
  const common = { session_id: CLIENT, transcript_path: '/tmp/transcript.jsonl', cwd, permission_mode: 'default' };
  switch (event) {
    case 'session-start': return { ...common, hook_event_name: 'SessionStart', source: 'startup', model: 'claude-sonnet-5' };
    case 'user-prompt-submit': return { ...common, hook_event_name: 'UserPromptSubmit', prompt: 'Add the profile page' };
    case 'post-tool-use': return {
      ...common, hook_event_name: 'PostToolUse', tool_name: 'Write', tool_input: { file_path: `${cwd}/a.ts`, content: 'x' },
      tool_response: { filePath: `${cwd}/a.ts`, success: true }, tool_use_id: 'toolu_01', duration_ms: 3,
    };
    case 'stop': return { ...common, hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: 'Done.', background_tasks: [], session_crons: [] };
  }
}

/** One hook process; returns wall ms, in-process ms and CPU ms (from the hook's own timing line), and stdout. */
function runHook(event, env, cwd) {
  const start = process.hrtime.bigint();
  const r = spawnSync('sh', [LAUNCHER, process.execPath, HOOK, event], {
    input: JSON.stringify(hookInput(event, cwd)), encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env, CLAUDE_ORCHESTRATOR_HOOK_TIMING: '1' },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const timing = /timing (\{.*\})/.exec(r.stderr ?? '');
  const inner = timing ? JSON.parse(timing[1]) : { ms: NaN, cpuMs: NaN };
  return { wall, inner: inner.ms, cpu: inner.cpuMs, stdout: r.stdout };
}

function nodeBaseline() {
  const start = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const bytes = (text) => Buffer.byteLength(text);
const tokens = (n) => Math.round(n / 4);

export async function benchClaudeHooks({ runs = 20, sessions = 30, past = 3000, keep = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-bench-hooks-'));
  const hooks = [];
  const sizes = [];
  const hookRow = (name, samples, note = '') => {
    const wall = stats(samples.map((s) => s.wall));
    // In-process figures exist only for runs that started node (the launcher answers some alone).
    const inner = stats(samples.map((s) => s.inner).filter(Number.isFinite));
    const cpu = stats(samples.map((s) => s.cpu).filter(Number.isFinite));
    hooks.push({ name, median: wall.median, p95: wall.p95, inner: inner.median, cpu: cpu.median, note });
  };
  const sizeRow = (name, text, note = '') => sizes.push({ name, bytes: bytes(text), tokens: tokens(bytes(text)), note });
  let app;
  let client;
  try {
    const home = join(dir, 'home');
    mkdirSync(home);
    const repos = Object.fromEntries(ROLES.map((r) => [r, makeRepo(join(dir, r))]));
    writeFileSync(join(home, 'topology.yml'), topology(repos));
    const records = await buildHistory(join(home, 'coordination.git'), { sessions, past });
    const env = { CLAUDE_ORCHESTRATOR_HOME: home, HOME: dir, CLAUDE_PROJECT_DIR: repos.frontend };

    app = await openApp({ env: { ...process.env, CLAUDE_ORCHESTRATOR_HOME: home, HOME: dir } });
    const auth = await registerSession(app.ctx, { repoPath: repos.auth, projectGroup: 'my-platform' });
    const announce = async (n, tag) => {
      const changes = [
        ['breaking_change', 'Dropped the /v1/login endpoint; use /v2/session'],
        ['schema_change', 'Renamed field user.name to user.fullName in the User model'],
        ['config_change', 'JWT lifetime is now 15 minutes'],
      ];
      for (let i = 0; i < n; i++) {
        const [changeType, summary] = changes[i % changes.length];
        await notify(app.ctx, { sessionId: auth.sessionId, changeType, summary: `${summary} (${tag}.${i})`, files: ['prisma/schema.prisma'], ...(changeType === 'config_change' ? { priority: 'normal', notify: ['frontend'] } : {}) });
      }
    };

    const baseline = [];
    for (let i = 0; i < runs; i++) baseline.push({ wall: nodeBaseline(), inner: NaN, cpu: NaN });
    hookRow('baseline: node -e 0', baseline);

    // The first SessionStart registers the frontend session; pending: 3 updates and a sync point.
    runHook('session-start', env, repos.frontend);
    await announce(3, 'start');
    await requestSyncPoint(app.ctx, { sessionId: auth.sessionId, description: 'Switch every client to /v2/session before Friday', participants: ['frontend'] });
    const starts = Array.from({ length: runs }, () => runHook('session-start', env, repos.frontend));
    hookRow('SessionStart (registered; 3 updates, 1 sync point)', starts, 'shows everything pending');
    const startText = JSON.parse(starts[0].stdout).hookSpecificOutput.additionalContext;

    const quiet = Array.from({ length: runs }, () => runHook('user-prompt-submit', env, repos.frontend));
    hookRow('UserPromptSubmit, nothing new', quiet, 'the common case');
    const fresh = [];
    let promptText = '';
    for (let i = 0; i < runs; i++) {
      await announce(3, `p${i}`);
      const r = runHook('user-prompt-submit', env, repos.frontend);
      if (!r.stdout) throw new Error('UserPromptSubmit printed nothing with 3 new updates');
      promptText ||= JSON.parse(r.stdout).hookSpecificOutput.additionalContext;
      fresh.push(r);
    }
    hookRow('UserPromptSubmit, 3 new updates', fresh, 'writes an announced record');
    hookRow('PostToolUse, nothing new', Array.from({ length: runs }, () => runHook('post-tool-use', env, repos.frontend)), 'no ref moved: answered from the refs alone');
    const moved = [];
    for (let i = 0; i < runs; i++) {
      await heartbeat(app.ctx, { sessionId: auth.sessionId, currentTask: `task ${i}` });
      moved.push(runHook('post-tool-use', env, repos.frontend));
    }
    hookRow('PostToolUse, nothing new, another session wrote', moved, 'reads the new commits (cache)');
    const stops = Array.from({ length: runs }, () => runHook('stop', env, repos.frontend));
    hookRow('Stop, sync point waiting (blocks)', stops);
    // The Stop hook answers with additionalContext, not decision/reason (src/claude-hooks/render.ts).
    const stopReason = JSON.parse(stops[0].stdout).hookSpecificOutput.additionalContext;

    // What the model sees.
    sizeRow('server instructions', INSTRUCTIONS, 'Claude Code cuts at 2 KB');
    const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER], env: { ...getDefaultEnvironment(), ...env, CLAUDE_CODE_SESSION_ID: CLIENT }, stderr: 'ignore' });
    client = new Client({ name: 'bench', version: '1.0.0' });
    await client.connect(transport);
    const tools = await client.listTools();
    sizeRow('tools/list (all tools)', JSON.stringify(tools), `${tools.tools.length} tools`);
    try {
      sizeRow('prompts/list', JSON.stringify(await client.listPrompts()));
    } catch {
      sizeRow('prompts/list', '', 'server registers no prompts yet');
    }
    sizeRow('SessionStart context (3 updates, 1 sync point)', startText);
    sizeRow('UserPromptSubmit context (3 new updates)', promptText);
    sizeRow('Stop reason (1 sync point)', stopReason);
    const frontendId = /this session is (\S+),/.exec(startText)[1];
    await announce(3, 'read');
    const read = await client.callTool({ name: 'get_cross_project_updates', arguments: { sessionId: frontendId, limit: 3 } });
    sizeRow('get_cross_project_updates result (3 updates)', read.content.map((c) => c.text).join(''), 'text content; structuredContent repeats it');
    const sessionsResult = await client.callTool({ name: 'list_group_sessions', arguments: { projectGroup: 'my-platform' } });
    sizeRow('list_group_sessions result', sessionsResult.content.map((c) => c.text).join(''));
    return { records, hooks, sizes };
  } finally {
    await client?.close().catch(() => undefined);
    app?.close();
    if (keep) console.error(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

export function formatResults({ records, hooks, sizes }) {
  const w = Math.max(...hooks.map((r) => r.name.length), ...sizes.map((r) => r.name.length));
  const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-').padStart(7);
  const lines = [`coordination repo: ${records} records of history`, '', `${'hook'.padEnd(w)}  median     p95  in-proc     cpu  (ms)`];
  for (const r of hooks) lines.push(`${r.name.padEnd(w)}  ${ms(r.median)} ${ms(r.p95)} ${ms(r.inner)} ${ms(r.cpu)}  ${r.note}`);
  lines.push('', `${'what the model sees'.padEnd(w)}   bytes  ~tokens`);
  for (const r of sizes) lines.push(`${r.name.padEnd(w)}  ${String(r.bytes).padStart(6)}  ${String(r.tokens).padStart(7)}  ${r.note}`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7)) || 20;
  console.log(formatResults(await benchClaudeHooks({ runs, keep: process.argv.includes('--keep') })));
}
