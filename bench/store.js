// Store benchmark: append throughput (one process; four processes on one ref), reading the newest
// records of a long history, and a naive isomorphic-git baseline measured in the same run.
// Run `npm run build` first, then `node bench/store.js`. Exports benchStore() for bench/run.js.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import git from 'isomorphic-git';
import { GitStore as Store } from '../dist/store/index.js';
import { formatRows } from './lib.js';

const SELF = fileURLToPath(import.meta.url);
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

function record(tag, i) {
  return { v: 1, kind: 'session.heartbeat', id: `${tag}-${i}`, group: 'bench', role: 'worker', session: tag, at: Date.now(), clock: i + 1 };
}

/** Worker mode: appends `count` records, one per call, and prints when its loop started and ended. */
async function worker([kind, gitDir, ref, count, tag]) {
  const n = Number(count);
  const start = Date.now();
  if (kind === 'store') {
    const store = await Store.open(gitDir, { create: false, maintenance: false });
    for (let i = 0; i < n; i++) await store.append(ref, [record(tag, i)]);
    store.close();
  } else {
    // What a naive isomorphic-git writer does: commit on the ref with its default fs.
    for (let i = 0; i < n; i++) {
      const r = record(tag, i);
      await git.commit({
        fs, gitdir: gitDir, ref, tree: EMPTY_TREE, message: `${r.id}\n`,
        author: { name: 'bench', email: 'bench@orchestrator.invalid', timestamp: Math.floor(r.at / 1000), timezoneOffset: 0 },
      });
    }
  }
  process.stdout.write(JSON.stringify({ start, end: Date.now() }));
}

function runWorker(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--worker', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`bench worker ${args.join(' ')} exited ${code}`))));
  });
}

async function concurrent(kind, gitDir, ref, processes, each) {
  const times = await Promise.all(Array.from({ length: processes }, (_, p) => runWorker([kind, gitDir, ref, String(each), `${kind}${p}`])));
  const ms = Math.max(...times.map((t) => t.end)) - Math.min(...times.map((t) => t.start));
  const store = await Store.open(gitDir, { create: false, maintenance: false });
  const tip = await store.readRef(ref);
  const kept = tip ? (await store.walk(tip)).length : 0;
  store.close();
  return { kept, written: processes * each, ms };
}

async function timed(fn, repeat = 1) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) await fn();
  return Number(process.hrtime.bigint() - start) / 1e6 / repeat;
}

export async function benchStore({ appends = 2000, processes = 4, each = 250, history = 20_000, depths = [10, 100] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-bench-'));
  const rows = [];
  const row = (name, value, unit, note = '') => rows.push({ name, value, unit, note });
  try {
    const gitDir = join(dir, 'coordination.git');
    const store = await Store.open(gitDir, { maintenance: false });

    let ms = await timed(async () => {
      for (let i = 0; i < appends; i++) await store.append('refs/orchestrator/single', [record('single', i)]);
    });
    row('store: append, 1 process, 1 record per call', Math.round((appends / ms) * 1000), 'records/s', `${(ms / appends).toFixed(3)} ms each`);

    const batch = Array.from({ length: 1000 }, (_, i) => record('batch', i));
    ms = await timed(() => store.append('refs/orchestrator/batch', batch));
    row('store: append, 1 process, 1000 records per call', Math.round((1000 / ms) * 1000), 'records/s');

    const c = await concurrent('store', gitDir, 'refs/orchestrator/shared', processes, each);
    row(`store: ${processes} processes x ${each} appends, one ref`, `${c.kept}/${c.written}`, 'kept/written', `${Math.round((c.written / c.ms) * 1000)} records/s`);

    // A long history, built with the store itself in batches.
    const historyRef = 'refs/orchestrator/history';
    ms = await timed(async () => {
      for (let done = 0; done < history; done += 1000) {
        await store.append(historyRef, Array.from({ length: Math.min(1000, history - done) }, (_, i) => record('h', done + i)));
      }
    });
    row(`store: build a ${history}-record history`, Math.round(ms), 'ms', 'batches of 1000, loose objects');
    store.close();
    const tip = (await Store.open(gitDir, { create: false, maintenance: false }).then(async (s) => { const t = await s.readRef(historyRef); s.close(); return t; }));

    for (const depth of depths) {
      const cold = await timed(async () => {
        const s = await Store.open(gitDir, { create: false, maintenance: false });
        await s.walk(tip, { limit: depth });
        s.close();
      }, 5);
      row(`store: newest ${depth} of ${history}, new Store each time`, cold.toFixed(2), 'ms', 'includes starting git cat-file');
      // A long-lived Store whose reader is running but has not seen these commits yet.
      let warm = 0;
      for (let i = 0; i < 5; i++) {
        const reader = await Store.open(gitDir, { create: false, maintenance: false });
        await reader.readBlob(EMPTY_TREE).catch(() => {}); // starts git cat-file
        warm += (await timed(() => reader.walk(tip, { limit: depth }))) / 5;
        reader.close();
      }
      row(`store: newest ${depth} of ${history}, long-lived Store`, warm.toFixed(2), 'ms', 'reader running, nothing cached');
    }

    // Baseline: isomorphic-git, same machine, same run.
    const isoDir = join(dir, 'iso.git');
    await git.init({ fs, gitdir: isoDir, bare: true });
    await git.writeTree({ fs, gitdir: isoDir, tree: [] });
    const b = await concurrent('iso', isoDir, 'refs/orchestrator/shared', processes, each);
    row(`isomorphic-git: ${processes} processes x ${each} commits, one ref`, `${b.kept}/${b.written}`, 'kept/written', `${Math.round((b.written / b.ms) * 1000)} records/s`);
    for (const depth of depths) {
      const iso = await timed(() => git.log({ fs, gitdir: gitDir, ref: historyRef, depth, cache: {} }), 5);
      row(`isomorphic-git: log depth ${depth} of ${history}`, iso.toFixed(2), 'ms');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
  return rows;
}

export { formatRows };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--worker') await worker(process.argv.slice(3));
  else console.log(formatRows(await benchStore()));
}
