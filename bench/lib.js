// Small pieces every benchmark script uses.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/** An empty git repo at `path`, as a member repo. */
export function makeRepo(path) {
  mkdirSync(path, { recursive: true });
  execFileSync('git', ['init', '-q', path]);
  return path;
}

/** Median and 95th percentile of samples. */
export function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95) };
}

/** Rows `{name, value, unit, note}` as an aligned table. */
export function formatRows(rows) {
  const width = Math.max(...rows.map((r) => r.name.length));
  const unitWidth = Math.max(...rows.map((r) => r.unit.length));
  return rows.map((r) => `${r.name.padEnd(width)}  ${String(r.value).padStart(10)} ${r.unit.padEnd(unitWidth)} ${r.note}`).join('\n');
}
