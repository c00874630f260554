// THE atomic file write (src/config/files.ts) keeps modes and symlinks (issue 12, case 13).
import { spawn } from 'node:child_process';
import { chmodSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { acquireFileLock, writeFileAtomic } from '../src/config/files.js';
import { forgetQuiet, noteQuiet } from '../src/app/quiet.js';
import { tempDir } from './helpers/tmp.js';

test('a 0600 file stays 0600; a new file is 0600', () => {
  const dir = tempDir();
  const file = join(dir, '.claude.json');
  writeFileSync(file, '{}');
  chmodSync(file, 0o600);
  writeFileAtomic(file, '{"a":1}');
  assert.is(statSync(file).mode & 0o777, 0o600);
  writeFileAtomic(join(dir, 'cache.json'), 'summaries');
  assert.is(statSync(join(dir, 'cache.json')).mode & 0o777, 0o600);
  chmodSync(file, 0o644);
  writeFileAtomic(file, '{"a":2}');
  assert.is(statSync(file).mode & 0o777, 0o644, 'the user\'s own choice is kept');
});

test('a symlinked file keeps its link; the target is replaced', () => {
  const dir = tempDir();
  const target = join(dir, 'dotfiles-claude.json');
  writeFileSync(target, '{}');
  chmodSync(target, 0o600);
  const link = join(dir, '.claude.json');
  symlinkSync(target, link);
  writeFileAtomic(link, '{"b":1}');
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.is(readlinkSync(link), target);
  assert.is(readFileSync(target, 'utf8'), '{"b":1}');
  assert.is(statSync(target).mode & 0o777, 0o600);
});

test('a quiet stamp replaced by a symlink never truncates its target', () => {
  const dir = tempDir();
  const precious = join(dir, 'precious.txt');
  writeFileSync(precious, 'keep me');
  const stamp = join(dir, 'stamp');
  symlinkSync(precious, stamp);
  forgetQuiet({ file: stamp, key: 'k' });
  assert.is(readFileSync(precious, 'utf8'), 'keep me');
  symlinkSync(precious, `${stamp}2`);
  noteQuiet({ file: `${stamp}2`, key: 'k' });
  assert.is(readFileSync(precious, 'utf8'), 'keep me');
});

test('the file lock: a holder killed at any moment leaves a lock that names it, so the next taker breaks it at once', async () => {
  const dir = tempDir();
  const file = join(dir, 'share.lock');
  const taker = `import { acquireFileLock } from ${JSON.stringify(pathToFileURL(resolve('src/config/files.ts')).href)};
for (;;) { const l = await acquireFileLock(${JSON.stringify(file)}, { staleMs: 600000, timeoutMs: 2000, what: 'x' }); if ('held' in l) await l.held.release(); }`;
  for (let round = 0; round < 10; round++) {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', taker], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 150));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // With a 10-minute stale bound only a lock naming its dead holder can be broken now.
    const next = await acquireFileLock(file, { staleMs: 600_000, timeoutMs: 1_000, what: 'x' });
    assert.ok('held' in next, `round ${round}: ${JSON.stringify(next)}`);
    if ('held' in next) await next.held.release();
  }
  // (A holder killed between writing its draft and linking it leaves that draft, named by its pid:
  // no lock, so nothing waits on it.)
  assert.equal(readdirSync(dir).filter((n) => n === 'share.lock'), [], 'no lock left');
});

test.run();
