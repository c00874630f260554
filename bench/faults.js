// Fault injection (issue 12): kills MCP servers and syncs with SIGKILL at random points while they
// write, then checks the coordination repo. Prints, per kind of process: kills, records confirmed
// to the client, confirmed records lost, records stored twice, stale lock files left, and the time
// until a new process wrote again; then `git fsck --strict`.
//   node bench/faults.js            (after `npm run build`; FAULTS_N=20 kills of each kind)
// Commit ingesters are not killed here (their lock and cursor are covered by test/store.faults).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { makeRepo, stats } from './lib.js';

const SERVER = resolve('dist/index.js');
const CLI = resolve('dist/cli/main.js');
const N = Number(process.env.FAULTS_N) || 20;

const root = mkdtempSync(join(tmpdir(), 'orchestrator-faults-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));
const home = join(root, 'home');
mkdirSync(home, { recursive: true });
const repos = { auth: makeRepo(join(root, 'auth')), gateway: makeRepo(join(root, 'gateway')) };
writeFileSync(join(home, 'topology.yml'), `version: "1.0"
groups:
  faults:
    members:
      - { path: ${repos.auth}, role: auth }
      - { path: ${repos.gateway}, role: gateway, dependsOn: [auth] }
    communicationRules:
      - { when: schema_change, from: "*", notify: dependents, priority: high }
`);
const gitconfig = join(root, 'gitconfig');
writeFileSync(gitconfig, '[user]\n\tname = Bench\n\temail = bench@example.com\n');
const env = { ...getDefaultEnvironment(), CLAUDE_ORCHESTRATOR_HOME: home, HOME: root, GIT_CONFIG_GLOBAL: gitconfig, GIT_CONFIG_NOSYSTEM: '1', CLAUDE_ORCHESTRATOR_SYNC_INTERVAL_MS: '0' };
const repo = join(home, 'coordination.git');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startServer() {
  const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER], env, stderr: 'ignore' });
  const client = new Client({ name: 'faults', version: '1.0.0' });
  await client.connect(transport);
  const call = async (name, args) => {
    const result = await client.callTool({ name, arguments: args });
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
    return result.structuredContent;
  };
  return { transport, client, call };
}

/** A server writes events as fast as it can; SIGKILL at a random moment. Returns what was confirmed and the recovery time. */
async function killServer(confirmed) {
  const server = await startServer();
  const { sessionId } = await server.call('register_session', { repoPath: repos.auth, projectGroup: 'faults' });
  let alive = true;
  const writing = (async () => {
    for (let i = 0; alive; i++) {
      try {
        const { eventId } = await server.call('notify_related_sessions', { sessionId, changeType: 'schema_change', summary: `fault ${i}` });
        confirmed.add(eventId);
      } catch {
        return;
      }
    }
  })();
  await sleep(50 + Math.random() * 400);
  alive = false;
  process.kill(server.transport.pid, 'SIGKILL');
  await writing;
  await server.client.close().catch(() => {});
  // Recovery: a new server writes again.
  const started = Date.now();
  const next = await startServer();
  const again = await next.call('register_session', { repoPath: repos.auth, projectGroup: 'faults' });
  const { eventId } = await next.call('notify_related_sessions', { sessionId: again.sessionId, changeType: 'schema_change', summary: 'after the kill' });
  confirmed.add(eventId);
  const recovered = Date.now() - started;
  await next.call('unregister_session', { sessionId: again.sessionId });
  await next.client.close();
  return recovered;
}

let lastOutput = '';
function cli(args) {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      lastOutput = output;
      resolveRun(code);
    });
  });
}

/** A sync killed at a random point; then a sync must succeed. Returns the recovery time. */
async function killSync() {
  const child = spawn(process.execPath, [CLI, 'sync'], { env, stdio: 'ignore' });
  await sleep(20 + Math.random() * 300);
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));
  const started = Date.now();
  const code = await cli(['sync']);
  if (code !== 0) throw new Error(`sync after a kill exited ${code}: ${lastOutput.trim()}`);
  return Date.now() - started;
}

/** Every record id on our own refs, with how many commits carry it. */
function storedIds() {
  const out = execFileSync('git', [`--git-dir=${repo}`, 'log', '--format=%H %(trailers:key=Orchestrator-Record,valueonly)', '--glob=refs/orchestrator/*'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ids = new Map();
  for (const line of out.split('\n')) {
    const json = line.slice(41).trim();
    if (!json.startsWith('{')) continue;
    const id = JSON.parse(json).id;
    ids.set(id, (ids.get(id) ?? 0) + 1);
  }
  return ids;
}

function lockFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...lockFiles(path));
    else if (entry.name.endsWith('.lock')) found.push(path);
  }
  return found;
}

const bare = join(root, 'remote.git');
execFileSync('git', ['init', '-q', '--bare', bare]);
if ((await cli(['remote', 'add', 'origin', bare])) !== 0) throw new Error('remote add failed');

const confirmed = new Set();
const serverRecovery = [];
for (let i = 0; i < N; i++) serverRecovery.push(await killServer(confirmed));
const syncRecovery = [];
for (let i = 0; i < N; i++) syncRecovery.push(await killSync());

// Stale locks are recovered by the next process that opens the repo to write, once they are
// older than the bound (5 s): wait for it, open it once (a CLI status), then count what is left.
await sleep(5_500);
await cli(['status']);
const ids = storedIds();
const lost = [...confirmed].filter((id) => !ids.has(id)).length;
const duplicated = [...ids.values()].filter((n) => n > 1).length;
const locks = [...lockFiles(repo), ...lockFiles(bare)];
let fsck = 'clean';
try {
  execFileSync('git', [`--git-dir=${repo}`, 'fsck', '--strict', '--no-progress', '--no-dangling'], { stdio: 'pipe' });
} catch (error) {
  fsck = String(error.stdout ?? error.message).split('\n')[0];
}
const s = stats(serverRecovery);
const y = stats(syncRecovery);
const table = [
  ['kills', 'confirmed', 'lost', 'duplicated', 'stale locks left', 'recovery median ms', 'recovery p95 ms'],
  [`${N} servers`, confirmed.size, lost, duplicated, locks.length, Math.round(s.median), Math.round(s.p95)],
  [`${N} syncs`, '-', '-', '-', '(same)', Math.round(y.median), Math.round(y.p95)],
].map((row) => row.map(String));
const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
for (const row of table) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
console.log(`git fsck --strict: ${fsck}${locks.length ? `; locks: ${locks.join(', ')}` : ''}`);
if (lost || duplicated || locks.length || fsck !== 'clean') process.exitCode = 1;
