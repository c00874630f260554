// The MCP server over stdio, driven by the SDK's client, on a coordination repo with a long past.
// Prints medians and p95 of notify_related_sessions and get_cross_project_updates, the server's
// resident memory, and the size of tools/list; the baseline is an MCP ping in the same run.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { GitStore as Store, sessionRef } from '../dist/store/index.js';
import { SERVER_NODE_FLAGS } from '../dist/config/node-flags.js';
import { formatRows, makeRepo, stats } from './lib.js';

const SERVER = resolve('dist/index.js');
const ROLES = ['auth', 'gateway', 'frontend'];

function topology(repos) {
  return `version: "1.0"
groups:
  bench:
    members:
      - { path: ${repos.auth}, role: auth }
      - { path: ${repos.gateway}, role: gateway, dependsOn: [auth] }
      - { path: ${repos.frontend}, role: frontend, dependsOn: [gateway] }
    communicationRules:
      - { when: schema_change, from: "*", notify: dependents, priority: high }
`;
}

/** 100 sessions and `past` records: events from auth, delivered to every gateway and frontend session, plus heartbeats. */
export async function buildHistory(gitDir, { sessions, past }) {
  const store = await Store.open(gitDir, { maintenance: false });
  const now = Date.now();
  let clock = 0;
  const base = (session, role, kind, extra) => ({ v: 1, kind, id: `${kind}-${session}-${clock}`, group: 'bench', role, session, at: now - 3_600_000 + clock, clock: ++clock, ...extra });
  const ids = Array.from({ length: sessions }, (_, i) => ({ id: `${ROLES[i % 3]}-past${i}`, role: ROLES[i % 3] }));
  for (const s of ids) {
    await store.append(sessionRef(s.id), [base(s.id, s.role, 'session.registered', { repoPath: '/nowhere', host: 'bench-host', pid: 1 })]);
  }
  const senders = ids.filter((s) => s.role === 'auth');
  const receivers = ids.filter((s) => s.role !== 'auth');
  const events = Math.floor(past * 0.6);
  const eventIds = [];
  let written = sessions;
  const perSender = Math.ceil(events / senders.length);
  for (const s of senders) {
    const batch = [];
    for (let i = 0; i < perSender && eventIds.length < events; i++) {
      const record = base(s.id, 'auth', 'event', {
        types: ['schema_change'], summary: `past change ${eventIds.length}`, priority: 'high', source: 'tool',
        targets: [{ role: 'gateway', via: [], priority: 'high' }, { role: 'frontend', via: ['gateway'], priority: 'high' }],
      });
      eventIds.push(record.id);
      batch.push(record);
    }
    await store.append(sessionRef(s.id), batch);
    written += batch.length;
  }
  // Every past event was read by the receivers of its time, 100 ids per delivery record.
  for (const s of receivers) {
    const batch = [];
    for (let i = 0; i < eventIds.length; i += 100) batch.push(base(s.id, s.role, 'delivered', { eventIds: eventIds.slice(i, i + 100) }));
    await store.append(sessionRef(s.id), batch);
    written += batch.length;
  }
  // Heartbeats make up the rest.
  const rest = Math.max(0, past - written);
  for (let n = 0; n < ids.length; n++) {
    const s = ids[n];
    const count = Math.floor(rest / ids.length) + (n < rest % ids.length ? 1 : 0);
    await store.append(sessionRef(s.id), Array.from({ length: count }, () => base(s.id, s.role, 'session.heartbeat', { currentTask: 'working' })));
    written += count;
  }
  // Those sessions are over.
  for (const s of ids) await store.append(sessionRef(s.id), [base(s.id, s.role, 'session.ended', { reason: 'done' })]);
  written += ids.length;
  store.close();
  return written;
}

async function connect(env, flags = SERVER_NODE_FLAGS) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [...flags, SERVER], env: { ...getDefaultEnvironment(), ...env }, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

async function call(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
  return result.structuredContent;
}

async function sample(times, fn) {
  const out = [];
  for (let i = 0; i < times; i++) {
    const start = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return out;
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

export async function benchMcp({ sessions = 100, past = 100_000, calls = 200 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-bench-mcp-'));
  const rows = [];
  const row = (name, value, unit, note = '') => rows.push({ name, value, unit, note });
  try {
    const home = join(dir, 'home');
    mkdirSync(home);
    const repos = Object.fromEntries(ROLES.map((r) => [r, makeRepo(join(dir, r))]));
    writeFileSync(join(home, 'topology.yml'), topology(repos));
    const buildStart = Date.now();
    const records = await buildHistory(join(home, 'coordination.git'), { sessions, past });
    // The store's background `git gc --auto` packs a history this size; do it now, not mid-run.
    execFileSync('git', ['--git-dir', join(home, 'coordination.git'), 'gc', '--quiet']);
    row('history', records, 'records', `${sessions} sessions, built and packed in ${((Date.now() - buildStart) / 1000).toFixed(1)} s`);

    const env = { CLAUDE_ORCHESTRATOR_HOME: home, HOME: dir, ...(process.env.CLAUDE_ORCHESTRATOR_CHECKPOINT ? { CLAUDE_ORCHESTRATOR_CHECKPOINT: process.env.CLAUDE_ORCHESTRATOR_CHECKPOINT } : {}) };
    const sender = await connect(env);
    const receiver = await connect(env);

    const listed = await sender.client.listTools();
    row('tools/list size', Buffer.byteLength(JSON.stringify(listed)), 'bytes', `~${Math.round(Buffer.byteLength(JSON.stringify(listed)) / 4)} tokens`);

    const ping = stats(await sample(calls, () => sender.client.ping()));
    row('baseline: MCP ping round trip', ping.median.toFixed(2), 'ms median', `p95 ${ping.p95.toFixed(2)} ms`);

    const coldStart = process.hrtime.bigint();
    const a = await call(sender.client, 'register_session', { repoPath: repos.auth, projectGroup: 'bench' });
    row('first call (reads the whole history once)', (Number(process.hrtime.bigint() - coldStart) / 1e6).toFixed(0), 'ms', 'register_session on a fresh server');
    const f = await call(receiver.client, 'register_session', { repoPath: repos.frontend, projectGroup: 'bench' });

    const notify = stats(await sample(calls, (i) => call(sender.client, 'notify_related_sessions', { sessionId: a.sessionId, changeType: 'schema_change', summary: `bench change ${i}` })));
    row('notify_related_sessions', notify.median.toFixed(2), 'ms median', `p95 ${notify.p95.toFixed(2)} ms`);

    // Drain what the notify samples queued, then measure reads with exactly 10 pending.
    for (;;) {
      const page = await call(receiver.client, 'get_cross_project_updates', { sessionId: f.sessionId, limit: 100 });
      if (page.updates.length === 0) break;
    }
    const reads = [];
    for (let i = 0; i < Math.min(calls, 50); i++) {
      for (let n = 0; n < 10; n++) await call(sender.client, 'notify_related_sessions', { sessionId: a.sessionId, changeType: 'schema_change', summary: `pending ${i}.${n}` });
      const start = process.hrtime.bigint();
      const page = await call(receiver.client, 'get_cross_project_updates', { sessionId: f.sessionId });
      reads.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (page.updates.length !== 10) throw new Error(`expected 10 pending, got ${page.updates.length}`);
    }
    const read = stats(reads);
    row('get_cross_project_updates, 10 pending', read.median.toFixed(2), 'ms median', `p95 ${read.p95.toFixed(2)} ms`);
    row('server resident memory (receiver)', rssMb(receiver.transport.pid).toFixed(1), 'MB', `VmRSS after the run, node ${SERVER_NODE_FLAGS.join(' ')}`);
    // Baseline for that figure: the same server without the flags, after the same first read.
    const plain = await connect(env, []);
    await call(plain.client, 'register_session', { repoPath: repos.frontend, projectGroup: 'bench' });
    row('  same, without the node flags', rssMb(plain.transport.pid).toFixed(1), 'MB', 'after its first call');
    await plain.client.close();

    await sender.client.close();
    await receiver.client.close();
  } finally {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
  return rows;
}

export { formatRows };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  console.log(formatRows(await benchMcp(quick ? { past: 5000, calls: 30 } : {})));
}
