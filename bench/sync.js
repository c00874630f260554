// Sync benchmark: an incremental sync (10 new records on each of two machines over a shared
// history of 100,000 records spread over 1,000 refs) against a full fetch of that history into an
// empty repo, measured in the same run. The history is built with `git fast-import` in the record
// format. Run `npm run build` first, then `node bench/sync.js`. Exports benchSync() for a runner.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeRecordMessage } from '../dist/core/records.js';
import { GitStore as Store, sessionRef } from '../dist/store/index.js';
import { syncRemotes } from '../dist/app/share.js';
import { TopologyService } from '../dist/app/topology-service.js';
import { resolveHome } from '../dist/config/home.js';

function record(session, i, at) {
  return { v: 1, kind: 'session.heartbeat', id: `${session}-${i}`, group: 'bench', role: 'worker', session, at, clock: i + 1, currentTask: `step ${i}` };
}

/** `refs` refs of `perRef` record commits each, written into a bare repo by one fast-import. */
function buildHistory(bare, refs, perRef) {
  const chunks = [];
  const start = Math.floor(Date.now() / 1000) - refs * perRef;
  let t = start;
  for (let r = 0; r < refs; r++) {
    const session = `hist-${r}`;
    const ref = sessionRef(session);
    for (let i = 0; i < perRef; i++) {
      const message = Buffer.from(encodeRecordMessage(record(session, i, t * 1000)));
      chunks.push(`commit ${ref}\ncommitter worker (bench) <${session}@orchestrator.invalid> ${t} +0000\ndata ${message.length}\n`, message, '\n');
      t++;
    }
  }
  const input = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  const run = spawnSync('git', [`--git-dir=${bare}`, 'fast-import', '--quiet'], { input, maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`fast-import failed: ${run.stderr}`);
}

async function machine(root, name, bare) {
  const home = join(root, name);
  mkdirSync(home, { recursive: true });
  const paths = resolveHome({ CLAUDE_ORCHESTRATOR_HOME: home });
  const store = await Store.open(paths.repoGitDir, { maintenance: false });
  await store.addRemote('origin', bare);
  const topology = new TopologyService({ paths, store, now: Date.now, env: { CLAUDE_ORCHESTRATOR_HOME: home } });
  return { paths, store, topology };
}

async function time(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export async function benchSync({ refs = 1000, perRef = 100, fresh = 10 } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'orchestrator-bench-sync-'));
  try {
    const bare = join(root, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    const built = await time(() => buildHistory(bare, refs, perRef));
    execFileSync('git', [`--git-dir=${bare}`, 'gc', '--quiet']);

    const a = await machine(root, 'a', bare);
    const b = await machine(root, 'b', bare);
    const fullA = await time(() => a.store.fetch('origin'));
    const fullB = await time(() => syncRemotes(b, {}));

    // Ten new records on each machine, then each syncs: B first (pushes its 10), then A (fetches
    // B's 10, pushes its own), then B again (fetches A's 10).
    const now = Date.now();
    await a.store.append(sessionRef('new-a'), Array.from({ length: fresh }, (_, i) => record('new-a', i, now)));
    await b.store.append(sessionRef('new-b'), Array.from({ length: fresh }, (_, i) => record('new-b', i, now)));
    const incB1 = await time(() => syncRemotes(b, {}));
    const incA = await time(() => syncRemotes(a, {}));
    const incB2 = await time(() => syncRemotes(b, {}));
    const noop = await time(() => syncRemotes(a, {}));
    for (const r of [fullB, incB1, incA, incB2, noop]) {
      const failed = r.value.remotes.find((x) => !x.ok);
      if (failed) throw new Error(`sync failed: ${failed.error}`);
    }
    a.store.close();
    b.store.close();
    return {
      history: refs * perRef,
      refs,
      rows: [
        ['build history (fast-import)', built.ms],
        ['full fetch into an empty repo', fullA.ms],
        ['full first sync (fetch + push nothing)', fullB.ms],
        [`incremental sync B (push ${fresh})`, incB1.ms],
        [`incremental sync A (fetch ${fresh}, push ${fresh})`, incA.ms],
        [`incremental sync B (fetch ${fresh})`, incB2.ms],
        ['sync with nothing new', noop.ms],
      ],
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await benchSync();
  console.log(`Sync over a history of ${result.history.toLocaleString('en')} records on ${result.refs} refs (file remote)`);
  console.log('| step | ms |');
  console.log('|---|---:|');
  for (const [step, ms] of result.rows) console.log(`| ${step} | ${ms.toFixed(0)} |`);
  const full = result.rows[1][1];
  const inc = result.rows[4][1];
  console.log(`incremental (A) / full fetch: ${(inc / full).toFixed(3)}`);
}
