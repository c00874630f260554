// Change detection costs, in one run: `git commit` with and without the post-commit hook, the time
// from `git commit` returning to the update being readable by another session (a real MCP server),
// and the working-tree watcher's start-up time and resident memory on a repo of 20,000 files.
// `node bench/hooks.js [--quick]` (after `npm run build`).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVER_NODE_FLAGS } from '../dist/config/node-flags.js';
import { hookedPlatform, makeCommittingRepo, startServer } from './lib.js';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const git = (cwd, args) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });


function timedCommit(repo, message) {
  const started = process.hrtime.bigint();
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], { cwd: repo, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export async function benchHooks({ commits = 40, files = 20_000 } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'bench-hooks-'));
  try {
    // The floor: what any post-commit hook costs here (git forks sh), measured in the same run.
    const { auth, gateway, floor, env } = await hookedPlatform(root, makeCommittingRepo);
    const plain = makeCommittingRepo(join(root, 'plain'));

    const server = await startServer(env);
    const { sessionId } = await server.call('register_session', { repoPath: gateway, projectGroup: 'bench' });

    // Pairs, alternating, with a pause so the background ingester of one commit does not slow the next.
    const without = [];
    const emptyHook = [];
    const measure = async (label) => {
      const times = [];
      const latency = [];
      for (let i = 0; i < commits; i++) {
        without.push(timedCommit(plain, `plain ${label} ${i}`));
        emptyHook.push(timedCommit(floor, `floor ${label} ${i}`));
        times.push(timedCommit(auth, `hooked ${label} ${i}`));
        const returned = Date.now();
        for (;;) {
          const { updates } = await server.call('get_cross_project_updates', { sessionId });
          if (updates.length) break;
          if (Date.now() - returned > 10_000) throw new Error('no update within 10 s');
          await sleep(5);
        }
        latency.push(Date.now() - returned);
        await sleep(50);
      }
      return { times, latency };
    };
    // No session runs for auth: the hook starts an ingester in the background.
    const alone = await measure('alone');
    // auth's own session runs: its server ingests on the poke, and the hook starts nothing.
    const authServer = await startServer(env);
    await authServer.call('register_session', { repoPath: auth, projectGroup: 'bench' });
    const served = await measure('served');
    await authServer.close();
    await server.close();
    const withHook = alone.times;
    const latency = alone.latency;
    const pairs = (list, offset) => list.map((w, i) => w - without[offset + i]);
    const beyondEmpty = (list, offset) => list.map((w, i) => w - emptyHook[offset + i]);

    const watcher = await benchWatcher(join(root, 'big'), files);
    const rows = [
      ['git commit, no hook (median)', `${median(without).toFixed(1)} ms`],
      ['git commit, empty sh hook (median)', `${median(emptyHook).toFixed(1)} ms`],
      ['no auth session: git commit with hook (median)', `${median(withHook).toFixed(1)} ms`],
      ['  added by the hook (median of pairs)', `${median(pairs(withHook, 0)).toFixed(1)} ms`],
      ['  added beyond an empty hook (median of pairs)', `${median(beyondEmpty(withHook, 0)).toFixed(1)} ms`],
      ['  commit returned -> update readable (median)', `${median(latency)} ms`],
      ['  commit returned -> update readable (max)', `${Math.max(...latency)} ms`],
      ['auth session running: git commit with hook (median)', `${median(served.times).toFixed(1)} ms`],
      ['  added by the hook (median of pairs)', `${median(pairs(served.times, commits)).toFixed(1)} ms`],
      ['  added beyond an empty hook (median of pairs)', `${median(beyondEmpty(served.times, commits)).toFixed(1)} ms`],
      ['  commit returned -> update readable (median)', `${median(served.latency)} ms`],
      ['  commit returned -> update readable (max)', `${Math.max(...served.latency)} ms`],
      [`watcher start-up, ${files} files`, `${watcher.startMs} ms`],
      [`watcher resident memory, ${files} files`, `${watcher.rssMb} MB (node alone ${watcher.baseRssMb} MB)`],
      ['watcher: file written -> change reported', `${watcher.reportMs} ms (debounce 1000 ms included)`],
    ];
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Generates a repo of `files` files in 200 folders, then measures a watcher in a fresh process. */
async function benchWatcher(repo, files) {
  makeCommittingRepo(repo);
  for (let d = 0; d < 200; d++) {
    const dir = join(repo, 'src', `m${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < files / 200; f++) writeFileSync(join(dir, `f${f}.ts`), `export const v${f} = ${f};\n`);
  }
  mkdirSync(join(repo, 'node_modules', 'big'), { recursive: true });
  writeFileSync(join(repo, '.gitignore'), 'dist/\n');
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'files']);
  const script = `
    const base = process.memoryUsage().rss;
    const { WorktreeWatcher } = await import(${JSON.stringify(pathToFileURL(resolve('dist/watch/worktree-watcher.js')).href)});
    const t0 = performance.now();
    let changed;
    const w = await WorktreeWatcher.start({ repo: ${JSON.stringify(repo)}, onChange: (s) => changed?.(s) });
    const startMs = Math.round(performance.now() - t0);
    global.gc?.();
    const rss = process.memoryUsage().rss;
    const fs = await import('node:fs');
    const t1 = performance.now();
    const seen = new Promise((r) => (changed = r));
    fs.writeFileSync(${JSON.stringify(join(repo, 'src', 'm7', 'f3.ts'))}, 'changed\\n');
    await seen;
    const reportMs = Math.round(performance.now() - t1);
    await w.close();
    console.log(JSON.stringify({ startMs, reportMs, rssMb: Math.round(rss / 1048576), baseRssMb: Math.round(base / 1048576) }));
  `;
  const out = await new Promise((resolvePromise, reject) => {
    // The watcher runs inside the server, so it runs here with the server's node flags.
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--expose-gc', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.on('exit', (code) => (code === 0 ? resolvePromise(text) : reject(new Error(`watcher bench exited ${code}`))));
  });
  return JSON.parse(out);
}

export function formatRows(rows) {
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  console.log(formatRows(await benchHooks(quick ? { commits: 10, files: 2_000 } : {})));
}
