// Fault injection (issue 12): kills MCP servers, commit ingesters and syncs with SIGKILL at random
// points while they write, then checks the coordination repo. Prints, per kind of process: kills,
// records confirmed (tool results; for commits, the commits made), confirmed records lost,
// records stored twice, stale lock files left, and the time until a new process wrote again
// (for ingesters: until every commit made so far was recorded); then `git fsck --strict`.
//   node bench/faults.js            (after `npm run build`; FAULTS_N=20 kills of each kind)
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { installHook } from '../dist/app/operations/git-hooks.js';
import { makeRepo, stats } from './lib.js';

const SERVER = resolve('dist/index.js');
const CLI = resolve('dist/cli/main.js');
const N = Number(process.env.FAULTS_N) || 20;

const root = mkdtempSync(join(tmpdir(), 'orchestrator-faults-'));
process.on('exit', () => (process.env.FAULTS_KEEP ? console.error(`kept ${root}`) : rmSync(root, { recursive: true, force: true })));
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
// The ingester lingers 1 s after the last commit instead of 3 s, so a run takes less time.
const env = { ...getDefaultEnvironment(), CLAUDE_ORCHESTRATOR_HOME: home, HOME: root, GIT_CONFIG_GLOBAL: gitconfig, GIT_CONFIG_NOSYSTEM: '1', CLAUDE_ORCHESTRATOR_SYNC_INTERVAL_MS: '0', CLAUDE_ORCHESTRATOR_INGEST_LINGER_MS: '1000' };
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
  // Made at spawn: a sync that finishes before its kill has closed already.
  const closed = new Promise((r) => child.on('close', r));
  await sleep(20 + Math.random() * 300);
  child.kill('SIGKILL');
  await closed;
  const started = Date.now();
  const code = await cli(['sync']);
  if (code !== 0) throw new Error(`sync after a kill exited ${code}: ${lastOutput.trim()}`);
  return Date.now() - started;
}

/** Every record id on our own refs, and every member commit recorded, with how many commits carry each. */
function stored() {
  const out = execFileSync('git', [`--git-dir=${repo}`, 'log', '--format=%H %(trailers:key=Orchestrator-Record,valueonly)', '--glob=refs/orchestrator/*'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ids = new Map();
  const commits = new Map();
  for (const line of out.split('\n')) {
    const json = line.slice(41).trim();
    if (!json.startsWith('{')) continue;
    const record = JSON.parse(json);
    ids.set(record.id, (ids.get(record.id) ?? 0) + 1);
    if (record.commit?.sha) commits.set(record.commit.sha, (commits.get(record.commit.sha) ?? 0) + 1);
  }
  return { ids, commits };
}

const ingestState = join(repos.auth, '.git', 'orchestrator');
const ingestLock = join(ingestState, 'ingest.lock');
let commitCount = 0;

/** One commit in auth (its post-commit hook pokes or starts the ingester); resolves with its sha. */
function commit() {
  const n = commitCount++;
  writeFileSync(join(repos.auth, `fault-${n}.txt`), `${n}\n`);
  const git = (args) => new Promise((resolveRun, reject) => execFile('git', args, { cwd: repos.auth, env, encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolveRun(stdout))));
  return git(['add', '-A']).then(() => git(['commit', '-q', '-m', `fault commit ${n}`])).then(() => git(['rev-parse', 'HEAD'])).then((sha) => sha.trim());
}

/** Whether `pid` runs (a zombie does not). */
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
  }
}

/**
 * A burst of commits; the ingester the first one's hook started (its pid is in ingest.lock) is
 * killed at a random moment: starting, ingesting, or lingering. Then one more commit, and the time
 * until every commit made so far is recorded. Returns null when no ingester was alive to kill.
 */
async function killIngester(commits) {
  const burst = 2 + Math.floor(Math.random() * 8);
  const killAt = 20 + Math.random() * 700;
  let killed = 0;
  const killer = (async () => {
    await sleep(killAt);
    const pid = Number(readFileSync(ingestLock, 'utf8').trim());
    if (pid > 0 && alive(pid)) {
      process.kill(pid, 'SIGKILL');
      killed = pid;
    }
  })().catch(() => {});
  for (let i = 0; i < burst; i++) {
    commits.add(await commit());
    await sleep(Math.random() * 60);
  }
  await killer;
  if (!killed) return null;
  // The next commit after the kill catches up (a commit at the same moment may still see the
  // ingester alive and only poke it): wait until the kill has taken effect.
  while (alive(killed)) await sleep(5);
  const started = Date.now();
  commits.add(await commit());
  for (;;) {
    const recorded = stored().commits;
    if ([...commits].every((sha) => recorded.has(sha))) break;
    if (Date.now() - started > 60_000) {
      const lock = existsSync(ingestLock) ? readFileSync(ingestLock, 'utf8').trim() : 'none';
      const state = (pid) => { try { return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.slice(0, 1); } catch { return 'gone'; } };
      const log = existsSync(join(ingestState, 'ingest.log')) ? readFileSync(join(ingestState, 'ingest.log'), 'utf8').slice(-2000) : '';
      throw new Error(`${[...commits].filter((sha) => !recorded.has(sha)).length} commits still not recorded 60 s after an ingester was killed; ingest.lock: ${lock} (${state(lock)}); ingest.log: ${log}`);
    }
    await sleep(20);
  }
  const recovered = Date.now() - started;
  // Let this ingester finish lingering, so the next burst starts one of its own.
  while (existsSync(ingestLock)) await sleep(50);
  return recovered;
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

let step = 'setup';
process.on('exit', (code) => {
  if (step !== 'done') console.error(`faults: exited (${code}) during ${step}`);
});
const confirmed = new Set();
const serverRecovery = [];
for (let i = 0; i < N; i++) {
  step = `server kill ${i + 1}`;
  serverRecovery.push(await killServer(confirmed));
}
const syncRecovery = [];
for (let i = 0; i < N; i++) {
  step = `sync kill ${i + 1}`;
  syncRecovery.push(await killSync());
}
await installHook(repos.auth, { node: process.execPath, ingest: resolve('dist/git-hooks/ingest.js'), home, template: resolve('hooks/post-commit') });
const commits = new Set();
const ingestRecovery = [];
for (let missed = 0; ingestRecovery.length < N; ) {
  step = `ingester kill ${ingestRecovery.length + 1}`;
  const recovered = await killIngester(commits);
  if (recovered !== null) ingestRecovery.push(recovered);
  else if (++missed > 5 * N) throw new Error('the ingester was never alive when killed');
}

step = 'done';
// Stale locks are recovered by the next process that opens the repo to write, once they are
// older than the bound (5 s): wait for it, open it once (a CLI status), then count what is left.
await sleep(5_500);
await cli(['status']);
const { ids, commits: recorded } = stored();
const lost = [...confirmed].filter((id) => !ids.has(id)).length;
const duplicated = [...ids.values()].filter((n) => n > 1).length;
const commitsLost = [...commits].filter((sha) => !recorded.has(sha)).length;
const commitsDuplicated = [...recorded.values()].filter((n) => n > 1).length;
const locks = [...lockFiles(repo), ...lockFiles(bare), ...lockFiles(ingestState)];
let fsck = 'clean';
try {
  execFileSync('git', [`--git-dir=${repo}`, 'fsck', '--strict', '--no-progress', '--no-dangling'], { stdio: 'pipe' });
} catch (error) {
  fsck = String(error.stdout ?? error.message).split('\n')[0];
}
const s = stats(serverRecovery);
const y = stats(syncRecovery);
const g = stats(ingestRecovery);
const table = [
  ['kills', 'confirmed', 'lost', 'duplicated', 'stale locks left', 'recovery median ms', 'recovery p95 ms'],
  [`${N} servers`, confirmed.size, lost, duplicated, locks.length, Math.round(s.median), Math.round(s.p95)],
  [`${N} ingesters`, commits.size, commitsLost, commitsDuplicated, '(same)', Math.round(g.median), Math.round(g.p95)],
  [`${N} syncs`, '-', '-', '-', '(same)', Math.round(y.median), Math.round(y.p95)],
].map((row) => row.map(String));
const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
for (const row of table) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
console.log(`git fsck --strict: ${fsck}${locks.length ? `; locks: ${locks.join(', ')}` : ''}`);
if (lost || duplicated || commitsLost || commitsDuplicated || locks.length || fsck !== 'clean') process.exitCode = 1;
