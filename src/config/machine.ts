// A stable random id for this machine: commit ingestion writes to refs named after it, so two
// machines never write the same ref.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VALID = /^[0-9a-f]{16,64}$/;

/** Reads `<home>/machine-id`, creating it on first use; concurrent first runs agree (O_EXCL). */
export function machineId(home: string): string {
  const file = join(home, 'machine-id');
  const existing = readId(file);
  if (existing) return existing;
  mkdirSync(home, { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(8).toString('hex')}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // Whoever created it first wins; a writer that lost reads the winner's id. A reader racing the
  // winner's write may see an empty file for an instant: retry briefly.
  for (let i = 0; i < 50; i++) {
    const id = readId(file);
    if (id) return id;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
  }
  throw new Error(`${file} does not hold a machine id: delete it and try again`);
}

function readId(file: string): string | null {
  try {
    const id = readFileSync(file, 'utf8').trim();
    return VALID.test(id) ? id : null;
  } catch {
    return null;
  }
}
