// THE atomic file write (src/config/files.ts) keeps modes and symlinks (issue 12, case 13).
import { chmodSync, lstatSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileAtomic } from '../src/config/files.js';
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

test.run();
