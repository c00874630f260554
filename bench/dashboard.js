// The dashboard's data source over a long past (default 100,000 records, the MCP benchmark's
// history): how long the first overview takes (it folds every record within retention, once),
// a warm overview, the change fingerprint polled 4 times a second, and timeline pages with and
// without filters. Run: npm run build && node bench/dashboard.js [records]
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { openDashboardData } from '../dist/dashboard/data.js';
import { buildHistory } from './mcp.js';
import { formatRows, makeRepo, stats } from './lib.js';

const past = Number(process.argv[2] ?? 100_000);
const root = mkdtempSync(join(tmpdir(), 'orchestrator-bench-dashboard-'));
try {
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const repos = Object.fromEntries(['auth', 'gateway', 'frontend'].map((r) => [r, makeRepo(join(root, r))]));
  writeFileSync(join(home, 'topology.yml'), `version: "1.0"
groups:
  bench:
    members:
      - { path: ${repos.auth}, role: auth }
      - { path: ${repos.gateway}, role: gateway, dependsOn: [auth] }
      - { path: ${repos.frontend}, role: frontend, dependsOn: [gateway] }
`);
  const gitDir = join(home, 'coordination.git');
  const started = Date.now();
  const records = await buildHistory(gitDir, { sessions: 100, past });
  execFileSync('git', [`--git-dir=${gitDir}`, 'gc', '--quiet'], { stdio: 'ignore' });
  console.log(`history: ${records} records, built and packed in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const time = async (fn) => {
    const start = process.hrtime.bigint();
    const value = await fn();
    return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
  };
  const sample = async (times, fn) => {
    const out = [];
    for (let i = 0; i < times; i++) out.push((await time(fn)).ms);
    return stats(out);
  };
  const data = await openDashboardData({ ...process.env, CLAUDE_ORCHESTRATOR_HOME: home, HOME: root });
  const cold = await time(() => data.overview());
  const rows = [];
  const row = (name, s, note = '') => rows.push({ name, value: `${s.median.toFixed(1)} / ${s.p95.toFixed(1)}`, unit: 'ms (median / p95)', note });
  row('first overview (folds the history once)', { median: cold.ms, p95: cold.ms }, 'one run');
  row('overview, warm', await sample(20, () => data.overview()));
  row('version (polled while a page listens)', await sample(50, () => data.version()));
  const first = await time(() => data.timeline({}));
  row('timeline, newest page of 50', await sample(20, () => data.timeline({})), `${first.value.entries.length} entries, ${first.value.scanned} scanned`);
  let cursor = first.value.next;
  const deep = await sample(5, async () => {
    const page = await data.timeline({ cursor, all: true });
    cursor = page.next;
  });
  row('timeline, next pages (with receipts)', deep);
  const events = await time(() => data.timeline({ changeType: 'schema_change' }));
  row('timeline, schema_change only', await sample(10, () => data.timeline({ changeType: 'schema_change' })), `${events.value.entries.length} entries, ${events.value.scanned} scanned`);
  const none = await time(() => data.timeline({ changeType: 'config_change' }));
  row('timeline, a filter nothing matches', await sample(5, () => data.timeline({ changeType: 'config_change' })), `${none.value.scanned} scanned (the per-page budget)`);
  console.log(formatRows(rows));
  await data.close();
  console.log(`resident memory: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
