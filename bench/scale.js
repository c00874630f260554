// Cost against the length of the history: `log -n 20`, `status`, server start -> first
// get_cross_project_updates and the server's resident memory, at 10k and 100k records (1M with
// BENCH_SCALE_1M=1), each beside `node -e 0` measured in the same run. Histories are written by
// `git fast-import` in the store's own commit format: 100 sessions (1,000 at 1M), 60% events,
// 28% heartbeats, the rest deliveries, registrations and ends, within the last day.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  const out = [];
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
  const run = spawnSync('git', ['--git-dir', gitDir, 'fast-import', '--quiet'], { input: out.join(''), maxBuffer: 1 << 30 });
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

function peakRssMb(args, env) {
  const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const line = run.stderr.trim().split('\n').pop();
  return Number(line) / 1024;
}

function rssMb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

async function serverFirstRead(env, repo) {
  const start = process.hrtime.bigint();
  const transport = new StdioClientTransport({ command: process.execPath, args: [...SERVER_NODE_FLAGS, SERVER], env: { ...getDefaultEnvironment(), ...env }, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(transport);
  const reg = await client.callTool({ name: 'register_session', arguments: { repoPath: repo, projectGroup: 'bench' } }, undefined, { timeout: 600_000 });
  if (reg.isError) throw new Error(JSON.stringify(reg.content));
  const got = await client.callTool({ name: 'get_cross_project_updates', arguments: { sessionId: reg.structuredContent.sessionId } }, undefined, { timeout: 600_000 });
  if (got.isError) throw new Error(JSON.stringify(got.content));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rss = rssMb(transport.pid);
  await client.close();
  return { ms, rss };
}

export async function benchScale({ sizes = [10_000, 100_000], runs = 3 } = {}) {
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
      const built = Date.now();
      const written = writeHistory(join(home, 'coordination.git'), { sessions, records: size });
      execFileSync('git', ['--git-dir', join(home, 'coordination.git'), 'gc', '--quiet']);
      const label = `${(size / 1000).toLocaleString()}k`;
      row(`${label}: history`, written, 'records', `${sessions} sessions, written and packed in ${((Date.now() - built) / 1000).toFixed(1)} s`);
      const env = { ...process.env, CLAUDE_ORCHESTRATOR_HOME: home, HOME: dir };
      const node = stats(Array.from({ length: runs }, () => timeRun(['-e', '0'], env))).median;
      row(`${label}: baseline node -e 0`, node.toFixed(0), 'ms', 'median, same run');
      const log = stats(Array.from({ length: runs }, () => timeRun([CLI, 'log', '-n', '20'], env))).median;
      row(`${label}: log -n 20`, log.toFixed(0), 'ms', `${(log / node).toFixed(1)}x node, peak ${peakRssMb([CLI, 'log', '-n', '20'], env).toFixed(0)} MB`);
      const cold = timeRun([CLI, 'status'], env);
      row(`${label}: status, no checkpoint yet`, cold.toFixed(0), 'ms', `${(cold / node).toFixed(1)}x node (reads everything, writes the checkpoint)`);
      const warm = stats(Array.from({ length: runs }, () => timeRun([CLI, 'status'], env))).median;
      row(`${label}: status`, warm.toFixed(0), 'ms', `${(warm / node).toFixed(1)}x node, peak ${peakRssMb([CLI, 'status'], env).toFixed(0)} MB`);
      const first = await serverFirstRead(env, repos.frontend);
      row(`${label}: server start -> first get_cross_project_updates`, first.ms.toFixed(0), 'ms', `${(first.ms / node).toFixed(1)}x node (from the checkpoint)`);
      row(`${label}: server resident memory after it`, first.rss.toFixed(0), 'MB', 'VmRSS');
    } finally {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    }
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv.includes('--quick') ? [10_000] : process.env.BENCH_SCALE_1M ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
  console.log(formatRows(await benchScale({ sizes })));
}
