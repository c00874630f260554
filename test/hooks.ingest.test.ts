// Commit ingestion in real repos with the real hook: classification, routing, the reflog entries
// handled, linked worktrees, and a burst of commits with the ingester killed half-way.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, statSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ingestRepo, recordedKind } from '../src/app/operations/ingest-commits.js';
import { resolveHome } from '../src/config/home.js';
import { changeRecords, commitAll, install, waitFor } from './helpers/hooks.js';
import { git, makePlatform } from './helpers/mcp.js';
import { tempDir } from './helpers/tmp.js';

const platform = makePlatform();
const { auth } = platform.repos;
const env = { ...process.env, ...platform.env };
const paths = resolveHome(env);
const write = (repo: string, file: string, text: string) => {
  mkdirSync(join(repo, file, '..'), { recursive: true });
  writeFileSync(join(repo, file), text);
};
const recordFor = async (sha: string) => waitFor(`record of ${sha}`, async () => (await changeRecords(platform.home)).find((r) => r.commit?.sha === sha));
/**
 * An ingestion run now. The hook's ingester lingers a few seconds after the last commit holding
 * the lock; then a run returns at once and the lingering one does the work on a poke.
 */
const catchUp = async (repo = auth, at = paths) => {
  const result = await ingestRepo(at, repo);
  if (!result.ran) appendFileSync(join(repo, '.git', 'orchestrator', 'poke'), '\n');
};

test.before(async () => {
  const report = await install(auth, platform.home);
  assert.is(report.state, 'current');
});

test('reflog entries: commits, amends, merges, cherry-picks and reverts are changes; moves are not', () => {
  const kept: Record<string, string | null> = {
    'commit: add user': 'commit',
    'commit (initial): init': 'commit',
    'commit (amend): add user': 'amend',
    'commit (merge): Merge branch x': 'commit',
    "merge feature: Merge made by the 'ort' strategy.": 'merge',
    "pull: Merge made by the 'ort' strategy.": 'merge',
    'cherry-pick: fix token': 'cherry-pick',
    'revert: Revert "x"': 'revert',
    'am: patch': 'am',
    'merge feature: Fast-forward': null,
    'pull: Fast-forward': null,
    'checkout: moving from main to x': null,
    'reset: moving to HEAD~1': null,
    'rebase (start): checkout main': null,
    'rebase (pick): add user': null,
    'rebase (finish): returning to refs/heads/x': null,
    'pull --rebase (pick): add user': null,
  };
  for (const [message, kind] of Object.entries(kept)) assert.is(recordedKind(message), kind, message);
});

test('commits made before the install are not ingested', async () => {
  const records = await changeRecords(platform.home);
  assert.not.ok(records.some((r) => r.commit?.subject === 'initial'));
});

test('a prisma schema commit becomes a schema_change for gateway and frontend, with SHA and files', async () => {
  write(auth, 'prisma/schema.prisma', 'model User { id Int }\n');
  const sha = commitAll(auth, 'Add User model');
  const record = await recordFor(sha);
  assert.equal(record.types, ['schema_change', 'any_change']);
  assert.equal(record.targets.map((t) => t.role), ['gateway', 'frontend']);
  assert.is(record.priority, 'high');
  assert.equal(record.files, ['prisma/schema.prisma']);
  assert.is(record.fileCount, 1);
  assert.is(record.commit?.subject, 'Add User model');
  assert.is(record.commit?.author, 'Dev <dev@example.com>');
  assert.is(record.source, 'commit');
  assert.ok(record.summary.startsWith('Add User model'));
});

test('graphql, proto and migration files are schema changes too; a commit can carry several types', async () => {
  write(auth, 'api/user.graphql', 'type User { id: ID }\n');
  write(auth, 'proto/user.proto', 'syntax = "proto3";\n');
  write(auth, 'db/migrations/001_init.sql', 'create table users();\n');
  write(auth, 'package.json', '{}\n');
  const sha = commitAll(auth, 'schemas and deps');
  const record = await recordFor(sha);
  assert.ok(record.types.includes('schema_change'));
  assert.ok(record.types.includes('dependency_update'));
  assert.ok(record.types.includes('api_endpoint_change'));
  assert.is(record.fileCount, 4);
});

test('a feat!: commit reaches every member as a critical breaking_change', async () => {
  write(auth, 'src/token.ts', 'export const v = 2;\n');
  const sha = commitAll(auth, 'feat!: tokens are JWTs now');
  const record = await recordFor(sha);
  assert.ok(record.types.includes('breaking_change'));
  assert.equal(record.targets.map((t) => t.role), ['gateway', 'frontend']);
  assert.is(record.priority, 'critical');
});

test('amend, merge and cherry-pick are recorded; rebase replays and checkouts are not', async () => {
  write(auth, 'a.txt', '1\n');
  commitAll(auth, 'before amend');
  write(auth, 'b.txt', '1\n');
  git(auth, ['add', '-A']);
  git(auth, ['commit', '-q', '--amend', '-m', 'after amend']);
  const amended = git(auth, ['rev-parse', 'HEAD']).trim();
  assert.match((await recordFor(amended)).summary, /after amend \(amended\)/);

  git(auth, ['checkout', '-q', '-b', 'feature']);
  write(auth, 'c.txt', '1\n');
  const onFeature = commitAll(auth, 'on feature');
  git(auth, ['checkout', '-q', 'main']);
  write(auth, 'd.txt', '1\n');
  commitAll(auth, 'on main');
  git(auth, ['merge', '-q', '--no-edit', 'feature']);
  const merge = git(auth, ['rev-parse', 'HEAD']).trim();
  // A merge runs git's post-merge hook, not post-commit: the next ingestion run records it
  // (docs/change-detection.md). Run it now rather than race a hook still running from before.
  await catchUp();
  assert.equal((await recordFor(merge)).files, ['c.txt']);

  git(auth, ['checkout', '-q', '-b', 'other', 'HEAD~2']);
  git(auth, ['cherry-pick', onFeature]);
  const picked = git(auth, ['rev-parse', 'HEAD']).trim();
  assert.equal((await recordFor(picked)).files, ['c.txt']);
  write(auth, 'e.txt', '1\n');
  await recordFor(commitAll(auth, 'on other'));
  git(auth, ['rebase', '-q', 'main']);
  git(auth, ['checkout', '-q', 'main']);
  await catchUp();
  const records = await changeRecords(platform.home);
  const rebased = git(auth, ['rev-parse', 'other']).trim();
  assert.not.ok(records.some((r) => r.commit?.sha === rebased), 'a rebase replay is not a new change');
  assert.is(new Set(records.map((r) => r.id)).size, records.length, 'one record per commit');
});

test('a commit that stands in two reflog entries (a cherry-pick recreating it) is one record', async () => {
  // Fixed dates make the cherry-pick onto the commit's own parent produce the very same commit.
  const fixed = { ...env, GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z', GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z', CLAUDE_ORCHESTRATOR_HOOKS: '0' };
  const base = git(auth, ['rev-parse', 'HEAD']).trim();
  git(auth, ['checkout', '-q', '-b', 'twice-a']);
  write(auth, 'twice.txt', '1\n');
  const sha = commitAll(auth, 'the same commit twice', fixed);
  git(auth, ['checkout', '-q', '-b', 'twice-b', base]);
  execFileSync('git', ['cherry-pick', sha], { cwd: auth, env: fixed, stdio: 'ignore' });
  assert.is(git(auth, ['rev-parse', 'HEAD']).trim(), sha, 'the cherry-pick recreated the same commit');
  git(auth, ['checkout', '-q', 'main']);
  await catchUp();
  await recordFor(sha);
  const records = (await changeRecords(platform.home)).filter((r) => r.commit?.sha === sha);
  assert.is(records.length, 1);
});

test('a commit in a linked worktree is seen', async () => {
  const wt = join(tempDir('orchestrator-wt-'), 'auth-wt');
  git(auth, ['worktree', 'add', '-q', '-b', 'wt-branch', wt]);
  write(wt, 'schema/user.graphql', 'type User { name: String }\n');
  const sha = commitAll(wt, 'worktree change');
  const record = await recordFor(sha);
  assert.is(record.ingest?.worktree, 'auth-wt');
  assert.ok(record.types.includes('schema_change'));
});

test('the kill switch turns the hook off; a later run still catches the commit up', async () => {
  const lock = join(auth, '.git', 'orchestrator', 'ingest.lock');
  await waitFor('earlier ingesters to finish', async () => !existsSync(lock) || !alive(readFileSync(lock, 'utf8')));
  // Switched off, the hook does nothing at all: no poke, so no ingester is started for it.
  const poke = join(auth, '.git', 'orchestrator', 'poke');
  const pokeSize = () => (existsSync(poke) ? statSync(poke).size : 0);
  const before = pokeSize();
  const lockless = commitAll(auth, 'while switched off', { ...env, CLAUDE_ORCHESTRATOR_HOOKS: '0' });
  assert.is(pokeSize(), before, 'the switched-off hook did not poke');
  await catchUp();
  await recordFor(lockless);
});

test('200 commits in a burst, the ingester killed half-way: exactly 200 records afterwards', async () => {
  const burst = makePlatform();
  const repo = burst.repos.auth;
  await install(repo, burst.home);
  const lock = join(repo, '.git', 'orchestrator', 'ingest.lock');
  const script = `for i in $(seq 1 200); do echo $i > f.txt; git add f.txt; git commit -q -m "burst $i"; ` +
    `if [ $i -ge 100 ] && [ -z "$killed" ]; then pid=$(cat ${lock} 2>/dev/null); ` +
    `if [ -n "$pid" ] && kill -9 $pid 2>/dev/null; then killed=1; echo killed $pid at $i; fi; fi; done`;
  const out = execFileSync('sh', ['-c', script], { cwd: repo, env: { ...process.env, ...burst.env }, encoding: 'utf8' });
  const burstPaths = resolveHome({ ...process.env, ...burst.env });
  // Whatever was lost with the killed process is caught up by the next run (a commit's hook, or a server start).
  await waitFor('the ingester to finish', async () => !existsSync(lock) || !alive(readFileSync(lock, 'utf8')), 20_000);
  await ingestRepo(burstPaths, repo);
  const records = (await changeRecords(burst.home)).filter((r) => r.commit?.subject.startsWith('burst '));
  assert.is(records.length, 200, out);
  assert.is(new Set(records.map((r) => r.commit!.sha)).size, 200);
  assert.equal(records.map((r) => r.commit!.subject), Array.from({ length: 200 }, (_, i) => `burst ${i + 1}`));
  assert.match(out, /killed \d+/, 'the ingester was running and got killed mid-burst');
});

function alive(pid: string): boolean {
  try {
    process.kill(Number(pid.trim()), 0);
    return true;
  } catch {
    return false;
  }
}

let started = Date.now();
test.before.each(() => { started = Date.now(); });
test.after.each((ctx) => { if (process.env.TIMINGS) console.error(`${ctx.__test__}: ${Date.now() - started} ms`); });
test.run();
