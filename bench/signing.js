// Signed records: what signing costs a writer (a store append, a notify through the MCP server)
// and what checking costs a sync, each beside the same measure unsigned in the same run.
// Run `npm run build` first, then `node bench/signing.js`. Keys are made here with ssh-keygen;
// no ssh-agent is used.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GitStore as Store, sessionRef } from '../dist/store/index.js';
import { verifyCommits } from '../dist/store/git/signing.js';
import { formatRows, makeRepo, startServer, stats, writeBenchTopology } from './lib.js';

const CLI = resolve('dist/cli/main.js');
delete process.env.SSH_AUTH_SOCK;

function record(tag, i) {
  return { v: 1, kind: 'session.heartbeat', id: `${tag}-${i}`, group: 'bench', role: 'worker', session: tag, at: Date.now(), clock: i + 1 };
}

async function timed(times, fn) {
  const out = [];
  for (let i = 0; i < times; i++) {
    const start = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return stats(out);
}

function cli(env, args) {
  const run = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`claude-orchestrator ${args.join(' ')}: ${run.stderr}${run.stdout}`);
  return run.stdout;
}

function timedCli(env, args) {
  const start = process.hrtime.bigint();
  cli(env, args);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function benchSigning({ appends = 100, notifies = 60, shared = 2000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-bench-signing-'));
  const rows = [];
  const row = (name, value, unit, note = '') => rows.push({ name, value, unit, note });
  const baseEnv = { HOME: dir, GIT_CONFIG_GLOBAL: join(dir, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1' };
  writeFileSync(baseEnv.GIT_CONFIG_GLOBAL, '');
  Object.assign(process.env, baseEnv);
  try {
    const key = join(dir, 'bench-key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bench@signing', '-f', key]);

    // 1. The store alone: one record per append.
    const plainDir = join(dir, 'plain.git');
    const plain = await Store.open(plainDir, { maintenance: false });
    const unsigned = await timed(appends, (i) => plain.append(sessionRef('plain'), [record('plain', i)]));
    plain.close();
    row('append, unsigned (baseline)', unsigned.median.toFixed(2), 'ms median', `p95 ${unsigned.p95.toFixed(2)} ms`);
    const signedDir = join(dir, 'signed.git');
    const signedStore = await Store.open(signedDir, { maintenance: false });
    await signedStore.signing.configure(key);
    const signed = await timed(appends, (i) => signedStore.append(sessionRef('signed'), [record('signed', i)]));
    signedStore.close();
    row('append, signed', signed.median.toFixed(2), 'ms median', `p95 ${signed.p95.toFixed(2)} ms; +${(signed.median - unsigned.median).toFixed(2)} ms per record`);

    // 2. notify_related_sessions through one MCP server, before and after `signing enable`
    //    (a running server picks the setting up at its next write).
    const home = join(dir, 'home');
    mkdirSync(home);
    const auth = makeRepo(join(dir, 'auth'));
    const gateway = makeRepo(join(dir, 'gateway'));
    writeBenchTopology(home, auth, gateway);
    const env = { ...baseEnv, CLAUDE_ORCHESTRATOR_HOME: home, CLAUDE_ORCHESTRATOR_SYNC_INTERVAL_MS: '0' };
    const server = await startServer(env);
    try {
      const { sessionId } = await server.call('register_session', { repoPath: auth, projectGroup: 'bench' });
      const notify = (i) => server.call('notify_related_sessions', { sessionId, changeType: 'schema_change', summary: `bench change ${i}` });
      await timed(5, notify);
      const before = await timed(notifies, notify);
      row('notify_related_sessions, unsigned (baseline)', before.median.toFixed(2), 'ms median', `p95 ${before.p95.toFixed(2)} ms`);
      cli(env, ['signing', 'enable', '--key', key]);
      await timed(5, notify);
      const after = await timed(notifies, notify);
      row('notify_related_sessions, signed', after.median.toFixed(2), 'ms median', `p95 ${after.p95.toFixed(2)} ms; +${(after.median - before.median).toFixed(2)} ms`);
    } finally {
      await server.close();
    }

    // 3. Checking on fetch: a first sync of `shared` signed records, checked and not.
    const bare = join(dir, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    cli(env, ['remote', 'add', 'origin', bare]);
    const writer = await Store.open(join(home, 'coordination.git'), { maintenance: false });
    for (let s = 0; s < 10; s++) await writer.append(sessionRef(`shared-${s}`), Array.from({ length: shared / 10 }, (_, i) => record(`shared-${s}`, i)));
    writer.close();
    cli(env, ['sync']);
    const machine = (name) => {
      const h = join(dir, name);
      mkdirSync(h);
      const e = { ...baseEnv, CLAUDE_ORCHESTRATOR_HOME: h, CLAUDE_ORCHESTRATOR_SYNC_INTERVAL_MS: '0' };
      cli(e, ['remote', 'add', 'origin', bare]);
      return e;
    };
    const reader = machine('reader-plain');
    const plainSync = timedCli(reader, ['sync']);
    row('first sync, not checking (baseline)', plainSync.toFixed(0), 'ms', `${shared} signed records on 10 refs, plus the list and the notify history`);
    row('sync with nothing new, not checking (baseline)', timedCli(reader, ['sync']).toFixed(0), 'ms', '');
    const checker = machine('reader-checking');
    const checkerKey = join(dir, 'checker-key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'checker@signing', '-f', checkerKey]);
    cli(checker, ['signing', 'enable', '--key', checkerKey]);
    cli(checker, ['signing', 'allow', 'bench@signing', `${key}.pub`]);
    const checkedSync = timedCli(checker, ['sync']);
    const commits = Number(execFileSync('git', ['--git-dir', join(bare), 'rev-list', '--count', '--all'], { encoding: 'utf8' }).trim());
    row('first sync, checking every commit', checkedSync.toFixed(0), 'ms', `${commits} commits on the remote; +${((checkedSync - plainSync) / commits).toFixed(1)} ms per commit`);
    // The check alone, on the same commits: in-process (Ed25519) against git's (two ssh-keygen runs a commit).
    const checkerStore = await Store.open(join(checker.CLAUDE_ORCHESTRATOR_HOME, 'coordination.git'), { maintenance: false });
    const tips = [...(await checkerStore.listRefs(['refs/remotes/'])).values()];
    const list = execFileSync('git', ['--git-dir', join(checker.CLAUDE_ORCHESTRATOR_HOME, 'coordination.git'), 'cat-file', 'blob', 'refs/orchestrator/signers:allowed_signers'], { encoding: 'utf8' });
    let start = process.hrtime.bigint();
    const fast = await checkerStore.signing.verify(tips, [], list);
    const fastMs = Number(process.hrtime.bigint() - start) / 1e6;
    start = process.hrtime.bigint();
    const slow = await verifyCommits(checkerStore.location, tips, [], list);
    const slowMs = Number(process.hrtime.bigint() - start) / 1e6;
    checkerStore.close();
    const same = JSON.stringify(fast) === JSON.stringify(slow);
    row('check, in-process', (fastMs / fast.length).toFixed(3), 'ms/commit', `${fast.length} commits in ${fastMs.toFixed(0)} ms; same verdicts as git: ${same}`);
    row('check, git log %G? (baseline)', (slowMs / slow.length).toFixed(3), 'ms/commit', `${slow.length} commits in ${slowMs.toFixed(0)} ms`);
    const again = timedCli(checker, ['sync']);
    const status = spawnSync(process.execPath, [CLI, 'signing', 'status', '--json'], { env: { ...process.env, ...checker }, encoding: 'utf8' });
    const refused = JSON.parse(status.stdout || '{}').refused?.length ?? 0;
    row('sync with nothing new, checking', again.toFixed(0), 'ms', `${refused} ref(s) refused`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatRows(await benchSigning()));
}
