// Runs the benchmarks one after another, each in its own process, and prints their figures.
// `npm run bench` runs them all; `node bench/run.js store mcp` runs some. Each script also runs alone.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const BENCHES = {
  store: 'the store: appends, concurrent appends, reading the newest records; isomorphic-git baseline',
  mcp: 'the MCP server over stdio: notify and read updates over 100,000 past records; ping baseline',
  burst: 'a burst of 50 back-to-back commits through the post-commit hook, with and without a server of the repo; empty-hook baseline',
  hooks: 'the post-commit hook, commit-to-update latency and the working-tree watcher; no-hook baseline',
  'claude-hooks': 'Claude Code hooks: run time and what the model is shown; bare node baseline',
  'server-start': 'the MCP server from spawn to its first tools/list answer; node -e 0 and a minimal SDK server as baselines',
  sync: 'sharing through a remote: incremental sync against a full fetch',
  signing: 'signed records: a signed append, notify and a checked first sync, each against the same unsigned',
  contracts: 'contract diffs per format and a large OpenAPI document; parsing alone as baseline',
  dashboard: "the dashboard's data over 100,000 past records: first and warm overview, change polling, timeline pages",
  scale: 'log -n 20, status, server start and memory at 10k and 100k records (1M: BENCH_SCALE_1M=1); node -e 0 baseline',
  faults: 'servers, commit ingesters and syncs killed at random points: records confirmed, lost, duplicated, stale locks left, time to recover',
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in BENCHES));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}: choose from ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
console.log(`${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`);
let failed = false;
for (const name of asked.length ? asked : Object.keys(BENCHES)) {
  console.log(`\n## ${name}: ${BENCHES[name]}\n`);
  const script = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed = true;
    console.log(`(${name} failed with exit ${result.status})`);
  }
}
process.exitCode = failed ? 1 : 0;
