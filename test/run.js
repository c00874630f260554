#!/usr/bin/env node
// Runs the test files in parallel, each as its own uvu process, and prints uvu-style totals and a
// final plain line `N passed, N failed, N skipped`; exits 1 when any test (or file) failed.
//
//   node test/run.js [pattern]      pattern: a regex on file names (default: every *.test.ts)
//   TEST_JOBS=N                     parallel files (default: the machine's cores)
//   TEST_FILE_TIMEOUT_MS=N          a file running longer is killed and fails (default 300 s)
//
// Every file runs with test/helpers/clean-env.mjs preloaded (and this runner imports it first,
// so all children share one clean HOME and git config): the suite does not depend on the
// developer's GIT_*, XDG_*, CLAUDE_* variables or global git config.
// Files start longest first, from the durations of the previous run
// (node_modules/.cache/orchestrator-test-durations.json), so two workers finish together.
import './helpers/clean-env.mjs';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pattern = new RegExp(process.argv[2] ?? '\\.test\\.ts$');
const jobs = Math.max(1, Number(process.env.TEST_JOBS) || availableParallelism());
const durationsFile = join(root, 'node_modules', '.cache', 'orchestrator-test-durations.json');
const uvu = join(root, 'node_modules', 'uvu', 'bin.js');
const preload = join(root, 'test', 'helpers', 'clean-env.mjs');

/** @type {Record<string, number>} */
let previous = {};
try {
  previous = JSON.parse(readFileSync(durationsFile, 'utf8'));
} catch {
  previous = {};
}

const files = readdirSync(join(root, 'test'))
  .filter((name) => name.endsWith('.test.ts') && pattern.test(name))
  .sort((a, b) => (previous[b] ?? 1e9) - (previous[a] ?? 1e9) || a.localeCompare(b));

if (files.length === 0) {
  console.error(`no test file matches ${pattern}`);
  process.exit(1);
}

/** A file still running after this long is killed and counted failed (ms; TEST_FILE_TIMEOUT_MS). */
const FILE_TIMEOUT_MS = Number(process.env.TEST_FILE_TIMEOUT_MS) || 300_000;
/** How long a file may run on after printing its totals (ms). */
const LINGER_MS = 5_000;
const LINGERED = 'still running after its totals';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs one file; resolves with its counts and output. */
function runFile(name) {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      ['--import', preload, '--import', 'tsx', uvu, 'test', `^${escape(name)}$`, '--color=false'],
      // A process group of its own, so servers a failed test left running end with the file.
      { cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let output = '';
    /** Why the runner killed the file, if it did. */
    let killedFor = '';
    const killGroup = () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    };
    const end = (why) => {
      killedFor ||= why;
      killGroup();
    };
    // uvu has printed its totals but the file does not exit: a failed test left a process or a
    // handle open. Its results are in; end it rather than hang the suite.
    let lingering;
    const watchTotals = () => {
      if (!lingering && /^\s*Duration:/m.test(output)) lingering = setTimeout(() => end(LINGERED), LINGER_MS);
    };
    const timer = setTimeout(() => end(`timed out after ${FILE_TIMEOUT_MS / 1000} s`), FILE_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      watchTotals();
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(lingering);
      killGroup(); // what the file left running ends with it
      if (killedFor) output += `\n(${killedFor}: killed)`;
      const count = (label) => Number(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm').exec(output)?.[1] ?? NaN);
      const total = count('Total');
      const passed = count('Passed');
      const skipped = count('Skipped');
      const complete = Number.isFinite(total) && Number.isFinite(passed);
      let failed = complete ? total - passed : 1;
      // Crashed after printing totals, or a signal; a file ended by us after passing totals is
      // still reported (below), not counted failed.
      if (failed === 0 && code !== 0 && killedFor !== LINGERED) failed = 1;
      done({
        name,
        ms: Date.now() - started,
        passed: complete ? passed : 0,
        failed,
        skipped: Number.isFinite(skipped) ? skipped : 0,
        output,
        status: signal ? `signal ${signal}` : `exit ${code}`,
      });
    });
  });
}

const started = Date.now();
const queue = [...files];
const results = [];
async function worker() {
  for (let name = queue.shift(); name; name = queue.shift()) {
    const result = await runFile(name);
    results.push(result);
    const mark = result.failed ? 'FAIL' : 'ok  ';
    const skipped = result.skipped ? `, ${result.skipped} skipped` : '';
    process.stdout.write(`${mark} ${name} (${result.passed} passed${skipped}, ${(result.ms / 1000).toFixed(1)} s)\n`);
    if (result.failed) process.stdout.write(`${result.output.replace(/^/gm, '    ')}\n    (${result.status})\n`);
    else if (result.output.includes(LINGERED)) process.stdout.write(`    (${LINGERED}: killed; a test leaves a process or handle open)\n`);
  }
}
await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));

const sum = (key) => results.reduce((n, r) => n + r[key], 0);
const passed = sum('passed');
const failed = sum('failed');
const skipped = sum('skipped');
const seconds = ((Date.now() - started) / 1000).toFixed(1);

try {
  mkdirSync(dirname(durationsFile), { recursive: true });
  const durations = existsSync(durationsFile) ? previous : {};
  for (const r of results) durations[r.name] = r.ms;
  writeFileSync(durationsFile, JSON.stringify(durations, null, 1));
} catch {
  // the cache is an optimisation only
}

process.stdout.write(`\n  Files:     ${results.length} (${jobs} at a time)`);
process.stdout.write(`\n  Total:     ${passed + failed}`);
process.stdout.write(`\n  Passed:    ${passed}`);
process.stdout.write(`\n  Skipped:   ${skipped}`);
process.stdout.write(`\n  Duration:  ${seconds} s\n\n`);
const failedFiles = results.filter((r) => r.failed).map((r) => r.name);
if (failedFiles.length) process.stdout.write(`failed files: ${failedFiles.join(', ')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed ? 1 : 0;
