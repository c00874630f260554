// Many real processes appending at once, with the git CLI working on the same repo.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GitStore } from '../src/store/index.js';
import { gitSync } from './helpers/gitcli.js';
import { tempDir } from './helpers/tmp.js';

const WORKER = fileURLToPath(new URL('./workers/store-append.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/store/index.js', import.meta.url));
const SHARED = 'refs/orchestrator/shared';

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

const append = (gitDir: string, ref: string, count: number, tag: string) => run(process.execPath, [WORKER, gitDir, ref, String(count), tag]);

async function idsOn(store: GitStore, ref: string): Promise<string[]> {
  const tip = await store.readRef(ref);
  assert.ok(tip, `${ref} exists`);
  const commits = await store.walk(tip!);
  for (const c of commits) assert.ok(c.parents.length <= 1, 'appends never make merges');
  return commits.map((c) => c.record!.id);
}

function assertEachOnce(ids: string[], tags: string[], count: number): void {
  assert.is(new Set(ids).size, ids.length, 'no record twice');
  const expected = tags.flatMap((tag) => Array.from({ length: count }, (_, i) => `${tag}-${i}`));
  assert.equal([...ids].sort(), expected.sort());
}

test.before(() => {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` (npm test does it)`);
});

test('6 processes x 100 appends to one ref, 2 more to their own refs: every record exactly once', async () => {
  const gitDir = join(tempDir(), 'coordination.git');
  (await GitStore.open(gitDir)).close();
  const shared = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
  await Promise.all([
    ...shared.map((tag) => append(gitDir, SHARED, 100, tag)),
    append(gitDir, 'refs/orchestrator/sessions/own-a', 100, 'own-a'),
    append(gitDir, 'refs/orchestrator/sessions/own-b', 100, 'own-b'),
  ]);
  const store = await GitStore.open(gitDir, { create: false, maintenance: false });
  assertEachOnce(await idsOn(store, SHARED), shared, 100);
  assertEachOnce(await idsOn(store, 'refs/orchestrator/sessions/own-a'), ['own-a'], 100);
  assertEachOnce(await idsOn(store, 'refs/orchestrator/sessions/own-b'), ['own-b'], 100);
  store.close();
  gitSync(gitDir, ['fsck', '--strict', '--no-progress']);
});

test('appends while git gc and git pack-refs run over and over', async () => {
  const gitDir = join(tempDir(), 'coordination.git');
  (await GitStore.open(gitDir)).close();
  const tags = ['g1', 'g2', 'g3', 'g4'];
  let done = false;
  let gcRuns = 0;
  const gcLoop = (async () => {
    while (!done) {
      // Default prune expiry: `--prune=now` is unsafe next to any concurrent writer, git's own included.
      await run('git', [`--git-dir=${gitDir}`, 'gc', '--quiet']);
      await run('git', [`--git-dir=${gitDir}`, 'pack-refs', '--all']);
      gcRuns++;
    }
  })();
  try {
    await Promise.all(tags.map((tag, i) => append(gitDir, i < 3 ? SHARED : 'refs/orchestrator/sessions/g4', 100, tag)));
  } finally {
    done = true;
    await gcLoop;
  }
  assert.ok(gcRuns > 0, 'gc ran during the appends');
  if (process.env.STORE_TEST_VERBOSE) console.log('gc runs', gcRuns);
  const store = await GitStore.open(gitDir, { create: false, maintenance: false });
  assertEachOnce(await idsOn(store, SHARED), ['g1', 'g2', 'g3'], 100);
  assertEachOnce(await idsOn(store, 'refs/orchestrator/sessions/g4'), ['g4'], 100);
  store.close();
  gitSync(gitDir, ['fsck', '--strict', '--no-progress']);
});

test.run();
