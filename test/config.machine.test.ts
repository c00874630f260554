// Machine identity that survives copying (issue 12, case 11): a copied home is detected and the
// fix is said; the home it was made in stays quiet.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { machineId, machineIdProblem } from '../src/config/machine.js';
import { tempDir } from './helpers/tmp.js';

test('the home an id was made in has no problem; a copy of it is named with the fix', () => {
  const home = join(tempDir(), 'home');
  const id = machineId(home);
  assert.is(machineIdProblem(home), null);
  const copy = join(tempDir(), 'home');
  cpSync(home, copy, { recursive: true });
  assert.is(machineId(copy), id);
  const problem = machineIdProblem(copy)!;
  assert.ok(problem, 'detected');
  assert.match(problem, new RegExp(`machine id ${id} was made on`));
  assert.match(problem, /machine-id --renew/);
  // Following the fix gives the copy an id of its own.
  rmSync(join(copy, 'machine-id'));
  rmSync(join(copy, 'machine-id.origin'));
  assert.is.not(machineId(copy), id);
  assert.is(machineIdProblem(copy), null);
});

test('an id made on another host is named too; one made before the check is adopted', () => {
  const home = join(tempDir(), 'home');
  machineId(home);
  const origin = join(home, 'machine-id.origin');
  writeFileSync(origin, readFileSync(origin, 'utf8').replace(/^host .*$/m, 'host other-box'));
  assert.match(machineIdProblem(home)!, /made on other-box/);
  const old = join(tempDir(), 'home');
  machineId(old);
  writeFileSync(join(old, 'machine-id.origin'), '');
  assert.ok(machineIdProblem(old), 'an emptied origin file does not match');
});

test.run();
