// The working-tree watcher on a real repo: dirty files and their types, ignores, debounce, close.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ignoreFilter, WorktreeWatcher, type WorktreeSnapshot } from '../src/watch/worktree-watcher.js';
import { waitFor } from './helpers/hooks.js';
import { makeRepo } from './helpers/mcp.js';
import { tempDir } from './helpers/tmp.js';

test('ignore filter: .git, node_modules, and what git reported ignored', () => {
  const ignored = ignoreFilter('/r', ['dist/', 'secret.env']);
  assert.ok(ignored('/r/.git/index'));
  assert.ok(ignored('/r/a/node_modules/x.js'));
  assert.ok(ignored('/r/dist'));
  assert.ok(ignored('/r/dist/a/b.js'));
  assert.ok(ignored('/r/secret.env'));
  assert.not.ok(ignored('/r'));
  assert.not.ok(ignored('/r/src/dist.ts'));
  assert.not.ok(ignored('/r/distant/a.ts'));
});

test('reports the dirty set with types when it changes, not for ignored files', async () => {
  const repo = makeRepo(join(tempDir(), 'watched'));
  writeFileSync(join(repo, '.gitignore'), 'build/\n');
  mkdirSync(join(repo, 'build'));
  const seen: WorktreeSnapshot[] = [];
  const watcher = await WorktreeWatcher.start({ repo, debounceMs: 100, onChange: (s) => seen.push(s) });
  try {
    assert.equal(seen.map((s) => s.files), [['.gitignore']], 'the initial dirty set');
    mkdirSync(join(repo, 'prisma'));
    writeFileSync(join(repo, 'prisma', 'schema.prisma'), 'model A {}\n');
    const next = await waitFor('a schema change', async () => seen.find((s) => s.files.includes('prisma/schema.prisma')));
    assert.ok(next.types.includes('schema_change'));
    assert.is(next.fileCount, 2);
    const count = seen.length;
    writeFileSync(join(repo, 'build', 'out.js'), 'x\n');
    mkdirSync(join(repo, 'node_modules'));
    writeFileSync(join(repo, 'node_modules', 'm.js'), 'x\n');
    await new Promise((r) => setTimeout(r, 500));
    assert.is(seen.length, count, 'ignored files do not report');
  } finally {
    await watcher.close();
  }
});

test.run();
