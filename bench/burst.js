// A burst of back-to-back commits through the post-commit hook: what the hook adds to each commit
// beside the same burst with an empty hook (same run), and how long until another session can
// read each commit's update. Modes: no server of the repo running (the lingering ingester), the
// same with lingering off (each hook run's ingester exits at once: the old behaviour), and the
// repo's own session running (its server ingests). `node bench/burst.js [--quick]` (after `npm run build`).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatRows, hookedPlatform, makeCommittingRepo, startServer, stats } from './lib.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


/** One `git commit -a` (a one-line change to a tracked file), timed from spawn to exit (ms). */
function commit(repo, message, env) {
  writeFileSync(join(repo, 'f.txt'), `${message}\n`);
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('git', ['commit', '-q', '-a', '-m', message], { cwd: repo, env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      code === 0 ? resolvePromise(ms) : reject(new Error(`git commit exited ${code}`));
    });
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until no ingester holds the repo's lock (a lingering one exits after the linger time). */
async function ingestersGone(repo) {
  const lock = join(repo, '.git', 'orchestrator', 'ingest.lock');
  for (const until = Date.now() + 30_000; Date.now() < until; await sleep(50)) {
    if (!existsSync(lock)) return;
    const pid = Number(readFileSync(lock, 'utf8').trim());
    if (pid > 0 && !alive(pid)) return;
  }
  throw new Error('an ingester is still running after 30 s');
}

export async function benchBurst({ commits = 50 } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'bench-burst-'));
  try {
    // The baseline (`floor`): the same commits in a repo whose post-commit hook is empty.
    const { auth, gateway, floor, env } = await hookedPlatform(root, makeCommittingRepo);

    // Another session: the gateway's server, polled every 10 ms for the updates of auth's commits.
    const reader = await startServer(env);
    const { sessionId } = await reader.call('register_session', { repoPath: gateway, projectGroup: 'bench' });
    const seen = new Map();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const { updates } = await reader.call('get_cross_project_updates', { sessionId });
        const now = Date.now();
        for (const update of updates) {
          const match = /burst-\w+-\d+/.exec(JSON.stringify(update));
          if (match && !seen.has(match[0])) seen.set(match[0], now);
        }
        await sleep(10);
      }
    })();

    const gitEnv = (extra = {}) => ({ ...process.env, ...env, ...extra });
    /** `commits` back-to-back commits; returns their times and, for the hooked repo, commit -> readable. */
    const burst = async (repo, label, extra = {}) => {
      const times = [];
      const returned = [];
      for (let i = 0; i < commits; i++) {
        times.push(await commit(repo, `burst-${label}-${i}`, gitEnv(extra)));
        returned.push(Date.now());
      }
      if (repo === floor) return { times };
      const latency = [];
      for (let i = 0; i < commits; i++) {
        const key = `burst-${label}-${i}`;
        for (const until = returned[i] + 20_000; !seen.has(key); await sleep(10)) {
          if (Date.now() > until) throw new Error(`${key} not readable within 20 s`);
        }
        latency.push(seen.get(key) - returned[i]);
      }
      await ingestersGone(repo);
      return { times, latency };
    };

    // Warm-up, as on a machine in use: the first ingestion writes the topology cache and the machine id.
    await burst(auth, 'warmup');
    const empty1 = await burst(floor, 'floor1');
    const alone = await burst(auth, 'alone');
    const empty2 = await burst(floor, 'floor2');
    const noLinger = await burst(auth, 'nolinger', { CLAUDE_ORCHESTRATOR_INGEST_LINGER_MS: '0' });
    // auth's own session runs: its server ingests on the poke, the hook starts nothing.
    const authServer = await startServer(env);
    await authServer.call('register_session', { repoPath: auth, projectGroup: 'bench' });
    const empty3 = await burst(floor, 'floor3');
    const served = await burst(auth, 'served');
    await authServer.close();
    polling = false;
    await poller;
    await reader.close();

    const rows = [];
    const ms = (x) => Math.round(x * 10) / 10;
    const mode = (name, run, base) => {
      const s = stats(run.times);
      const b = stats(base.times);
      const l = stats(run.latency);
      rows.push({ name: `${name}: git commit median / p95`, value: `${ms(s.median)} / ${ms(s.p95)}`, unit: 'ms', note: `empty hook, same run: ${ms(b.median)} / ${ms(b.p95)} ms` });
      rows.push({ name: '  added per commit, median / p95', value: `${ms(s.median - b.median)} / ${ms(s.p95 - b.p95)}`, unit: 'ms', note: '' });
      rows.push({ name: '  commit returned -> readable, p95 / max', value: `${l.p95} / ${Math.max(...run.latency)}`, unit: 'ms', note: `median ${l.median} ms` });
    };
    mode(`no server, ${commits} commits (lingering ingester)`, alone, empty1);
    mode(`no server, ${commits} commits, lingering off`, noLinger, empty2);
    mode(`repo's server running, ${commits} commits`, served, empty3);
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  console.log(formatRows(await benchBurst(quick ? { commits: 15 } : {})));
}
