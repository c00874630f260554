// Cost against the length of the history: `log -n 20`, `status`, server start -> first
// get_cross_project_updates and the server's resident memory, at 10k and 100k records (1M with
// BENCH_SCALE_1M=1), each beside `node -e 0` measured in the same run. Histories are written by
// `git fast-import` in the store's own commit format: 100 sessions (1,000 at 1M), 60% events,
// 28% heartbeats, the rest deliveries, registrations and ends, within the last day.
// BENCH_SCALE_KEEP=<dir>: keep each generated history (packed) in <dir> and reuse it on later
// runs (a 1M history takes minutes to write); each run works on a copy.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { encodeRecordMessage } from '../dist/core/records.js';
import { recordSignature } from '../dist/store/objects.js';
import { SERVER_NODE_FLAGS } from '../dist/config/node-flags.js';
import { formatRows, makeRepo, stats } from './lib.js';

const CLI = resolve('dist/cli/main.js');
const SERVER = resolve('dist/index.js');
const ROLES = ['auth', 'gateway', 'frontend'];

/** Writes `records` records on `sessions` session refs with one `git fast-import`. */
export function writeHistory(gitDir, { sessions, records }) {
  execFileSync('git', ['init', '--bare', '--quiet', gitDir]);
  const now = Date.now();
  const span = 20 * 3_600_000; // the last 20 hours: all within retention
  const chains = new Map();
  let clock = 0;
  const ids = Array.from({ length: sessions }, (_, i) => ({ id: `${ROLES[i % 3]}-past${i}`, role: ROLES[i % 3] }));
  // The fast-import stream goes to a file a piece at a time: at 1M records it is over 512 MB, more than one string may hold.
  const streamFile = `${gitDir}.fast-import`;
  const fd = openSync(streamFile, 'w');
  let pending = [];
  const out = { push: (text) => { pending.push(text); if (pending.length >= 10_000) { writeSync(fd, pending.join('')); pending = []; } } };
  let mark = 0;
  const put = (s, kind, extra) => {
    clock++;
    const record = { v: 1, kind, id: `${kind}-${s.id}-${clock}`, group: 'bench', role: s.role, session: s.id, at: now - span + Math.floor((clock / records) * span), clock, ...extra };
    const message = encodeRecordMessage(record);
    const sig = recordSignature(record);
    const who = `${sig.name} <${sig.email}> ${sig.seconds} +0000`;
    mark++;
    const prev = chains.get(s.id);
    out.push(`commit refs/orchestrator/sessions/${s.id}\nmark :${mark}\nauthor ${who}\ncommitter ${who}\ndata ${Buffer.byteLength(message)}\n${message}\n${prev ? `from :${prev}\n` : ''}\n`);
    chains.set(s.id, mark);
    return record;
  };
  for (const s of ids) put(s, 'session.registered', { repoPath: '/nowhere', host: 'bench-host', pid: 1 });
  const events = [];
  const body = records - 2 * sessions;
  for (let n = 0; n < body; n++) {
    const roll = n % 25; // 15 of 25 events, 7 heartbeats, 3 deliveries
    const s = ids[(n * 7) % sessions];
    if (roll < 15 && s.role === 'auth') {
      events.push(put(s, 'event', { types: ['schema_change'], summary: `past change ${n}`, priority: 'high', source: 'tool', targets: [{ role: 'gateway', via: [], priority: 'high' }, { role: 'frontend', via: ['gateway'], priority: 'high' }] }).id);
    } else if (roll < 15) {
      const a = ids[((n * 7) % sessions) - (((n * 7) % sessions) % 3)];
      events.push(put(a, 'event', { types: ['schema_change'], summary: `past change ${n}`, priority: 'high', source: 'tool', targets: [{ role: 'gateway', via: [], priority: 'high' }, { role: 'frontend', via: ['gateway'], priority: 'high' }] }).id);
    } else if (roll < 22) put(s, 'session.heartbeat', { currentTask: 'working' });
    else put(s.role === 'auth' ? ids[1] : s, 'delivered', { eventIds: events.slice(-20) });
  }
  for (const s of ids) put(s, 'session.ended', { reason: 'done' });
  writeSync(fd, pending.join(''));
  closeSync(fd);
  const input = openSync(streamFile, 'r');
  const run = spawnSync('git', ['--git-dir', gitDir, 'fast-import', '--quiet'], { stdio: [input, 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  closeSync(input);
  rmSync(streamFile);
  if (run.status !== 0) throw new Error(`fast-import: ${run.stderr}`);
  return clock;
}

function timeRun(args, env) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`${args.join(' ')}: ${run.stderr}`);
  return ms;
}

/**
 * `args` timed `runs` times, each run right after a `node -e 0`: the median of the ratios pair by
 * pair (the machine's drift between runs cancels), the medians of both times.
 */
function pairedRuns(args, env, runs) {
  const ratios = [];
  const times = [];
  const nodes = [];
  for (let i = 0; i < runs; i++) {
    const node = timeRun(['-e', '0'], env);
    const ms = timeRun(args, env);
    ratios.push(ms / node);
    times.push(ms);
    nodes.push(node);
  }
  return { ratio: stats(ratios).median, ms: stats(times).median, node: stats(nodes).median, min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** `3.2x node (2.9-3.6), 250 ms against 78 ms` */
const paired = (p) => `${p.ratio.toFixed(1)}x node (${p.min.toFixed(1)}-${p.max.toFixed(1)} over pairs), node -e 0 ${p.node.toFixed(0)} ms`;

function peakRssMb(args, env) {
  const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const line = run.stderr.trim().split('\n').pop();
  return Number(line) / 1024;
}

function rssMb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

async function startServer(env) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [...SERVER_NODE_FLAGS, SERVER], env: { ...getDefaultEnvironment(), ...env }, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  const call = async (name, args) => {
    const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 600_000 });
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
    return result.structuredContent;
  };
  return { transport, client, call };
}

const elapsed = (start) => Number(process.hrtime.bigint() - start) / 1e6;

/**
 * Server start -> first get_cross_project_updates of a frontend session, its resident memory
 * then; then (unless `calls` is 0), with an auth server started beside it, notify (median of
 * `calls`) and a read of exactly 10 new updates (median of 10).
 */
async function serverFigures(env, repos, calls = 30) {
  const start = process.hrtime.bigint();
  const receiver = await startServer(env);
  const f = await receiver.call('register_session', { repoPath: repos.frontend, projectGroup: 'bench' });
  await receiver.call('get_cross_project_updates', { sessionId: f.sessionId });
  const ms = elapsed(start);
  const rss = rssMb(receiver.transport.pid);
  if (calls === 0) {
    await receiver.client.close();
    return { ms, rss };
  }
  const sender = await startServer(env);
  try {
    const a = await sender.call('register_session', { repoPath: repos.auth, projectGroup: 'bench' });
    const notifies = [];
    for (let i = 0; i < calls; i++) {
      const t = process.hrtime.bigint();
      await sender.call('notify_related_sessions', { sessionId: a.sessionId, changeType: 'schema_change', summary: `bench change ${i}` });
      notifies.push(elapsed(t));
    }
    for (;;) {
      const page = await receiver.call('get_cross_project_updates', { sessionId: f.sessionId, limit: 100 });
      if (page.updates.length === 0) break;
    }
    const reads = [];
    for (let i = 0; i < 10; i++) {
      for (let n = 0; n < 10; n++) await sender.call('notify_related_sessions', { sessionId: a.sessionId, changeType: 'schema_change', summary: `pending ${i}.${n}` });
      const t = process.hrtime.bigint();
      const page = await receiver.call('get_cross_project_updates', { sessionId: f.sessionId });
      reads.push(elapsed(t));
      if (page.updates.length !== 10) throw new Error(`expected 10 pending, got ${page.updates.length}`);
    }
    return { ms, rss, notify: stats(notifies), read: stats(reads), rssAfter: rssMb(receiver.transport.pid) };
  } finally {
    await sender.client.close();
    await receiver.client.close();
  }
}

/** A packed history of `size` records in `gitDir`: written, or copied from BENCH_SCALE_KEEP's. Returns [records, note]. */
function history(gitDir, size, sessions) {
  const keep = process.env.BENCH_SCALE_KEEP;
  const kept = keep && join(keep, `history-${size}.git`);
  if (kept && existsSync(join(kept, 'done'))) {
    cpSync(kept, gitDir, { recursive: true });
    return [Number(readFileSync(join(kept, 'done'), 'utf8')), `${sessions} sessions, reused from ${kept}`];
  }
  const built = Date.now();
  const written = writeHistory(gitDir, { sessions, records: size });
  execFileSync('git', ['--git-dir', gitDir, 'gc', '--quiet']);
  const note = `${sessions} sessions, written and packed in ${((Date.now() - built) / 1000).toFixed(1)} s`;
  if (kept) {
    rmSync(kept, { recursive: true, force: true });
    cpSync(gitDir, kept, { recursive: true });
    writeFileSync(join(kept, 'done'), String(written));
  }
  return [written, note];
}

export async function benchScale({ sizes = [10_000, 100_000], runs = 7, onSize } = {}) {
  const rows = [];
  const row = (name, value, unit, note = '') => rows.push({ name, value, unit, note });
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'orchestrator-bench-scale-'));
    try {
      const home = join(dir, 'home');
      mkdirSync(home, { recursive: true });
      const repos = Object.fromEntries(ROLES.map((r) => [r, makeRepo(join(dir, r))]));
      writeFileSync(join(home, 'topology.yml'), `version: "1.0"\ngroups:\n  bench:\n    members:\n${ROLES.map((r, i) => `      - { path: ${repos[r]}, role: ${r}${i ? `, dependsOn: [${ROLES[i - 1]}]` : ''} }`).join('\n')}\n    communicationRules:\n      - { when: schema_change, from: "*", notify: dependents, priority: high }\n`);
      const sessions = size >= 1_000_000 ? 1_000 : 100;
      const [written, note] = history(join(home, 'coordination.git'), size, sessions);
      const label = `${(size / 1000).toLocaleString()}k`;
      row(`${label}: history`, written, 'records', note);
      const env = { ...process.env, CLAUDE_ORCHESTRATOR_HOME: home, HOME: dir };
      const node = stats(Array.from({ length: runs }, () => timeRun(['-e', '0'], env))).median;
      row(`${label}: baseline node -e 0`, node.toFixed(0), 'ms', 'median, same run');
      const log = pairedRuns([CLI, 'log', '-n', '20'], env, runs);
      row(`${label}: log -n 20`, log.ms.toFixed(0), 'ms', `${paired(log)}, peak ${peakRssMb([CLI, 'log', '-n', '20'], env).toFixed(0)} MB`);
      const cold = timeRun([CLI, 'status'], env);
      row(`${label}: status, no checkpoint yet`, cold.toFixed(0), 'ms', `${(cold / node).toFixed(1)}x node (reads everything, writes the checkpoint)`);
      const warm = pairedRuns([CLI, 'status'], env, runs);
      row(`${label}: status`, warm.ms.toFixed(0), 'ms', `${paired(warm)}, peak ${peakRssMb([CLI, 'status'], env).toFixed(0)} MB`);
      // Server starts alone, each right after a `node -e 0`; the last one goes on to the calls below.
      const starts = [];
      for (let i = 1; i < runs; i++) {
        const base = timeRun(['-e', '0'], env);
        starts.push((await serverFigures(env, repos, 0)).ms / base);
      }
      const base = timeRun(['-e', '0'], env);
      const server = await serverFigures(env, repos);
      starts.push(server.ms / base);
      const start = stats(starts).median;
      row(`${label}: server start -> first get_cross_project_updates`, server.ms.toFixed(0), 'ms', `last of ${runs}; ${start.toFixed(1)}x node median over pairs (${Math.min(...starts).toFixed(1)}-${Math.max(...starts).toFixed(1)}), from the checkpoint`);
      row(`${label}: server resident memory after it`, server.rss.toFixed(0), 'MB', `VmRSS; ${server.rssAfter.toFixed(0)} MB after the calls below`);
      row(`${label}: notify_related_sessions`, server.notify.median.toFixed(1), 'ms', `median, p95 ${server.notify.p95.toFixed(1)} ms`);
      row(`${label}: get_cross_project_updates, 10 new`, server.read.median.toFixed(1), 'ms', `median, p95 ${server.read.p95.toFixed(1)} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    }
    onSize?.(rows);
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv.includes('--quick') ? [10_000] : process.env.BENCH_SCALE_1M ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
  // Each size's figures as soon as they are measured (a 1M run takes a while).
  let printed = 0;
  await benchScale({ sizes, onSize: (rows) => { console.log(formatRows(rows.slice(printed))); printed = rows.length; } });
}
