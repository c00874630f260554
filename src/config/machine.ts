// A stable random id for this machine: commit ingestion writes to refs named after it, so two
// machines never write the same ref.
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { writeFileAtomic } from './files.js';
import { hostname } from 'node:os';
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
    try {
      writeFileSync(join(home, ORIGIN_FILE), machineFingerprint(home), { flag: 'wx', mode: 0o600 });
    } catch {
      // Checked (and written) again by machineIdProblem.
    }
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

/** The fix for two machines with one id, for every message that finds them. */
export const RENEW_MACHINE_ID = "run `claude-orchestrator machine-id --renew` (a new id; that machine's change refs move to it), then sync";

/** File beside `machine-id` saying where the id was made: host name, OS machine id (hashed) and home path. */
const ORIGIN_FILE = 'machine-id.origin';

/** Where this process runs, as recorded in `machine-id.origin`. */
export function machineFingerprint(home: string): string {
  let os = '';
  for (const file of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      os = readFileSync(file, 'utf8').trim();
      break;
    } catch {
      // Not on this system.
    }
  }
  let path = home;
  try {
    path = realpathSync(home);
  } catch {
    // Not created yet.
  }
  const osHash = os ? createHash('sha256').update(os).digest('hex').slice(0, 16) : '-';
  return `host ${hostname()}\nos ${osHash}\nhome ${path}\n`;
}

/**
 * Null when the machine id in `home` was made here; otherwise what is wrong and how to fix it:
 * the home was copied (a cloned VM, a restored backup, a synced dotfiles folder), and two machines
 * with one id write the same change refs and overwrite each other's pushes. Records where the id
 * was made on first use (and for ids made before this check existed).
 */
export function machineIdProblem(home: string): string | null {
  const id = readId(join(home, 'machine-id'));
  if (!id) return null;
  const file = join(home, ORIGIN_FILE);
  const here = machineFingerprint(home);
  let recorded: string;
  try {
    recorded = readFileSync(file, 'utf8');
  } catch {
    try {
      writeFileSync(file, here, { flag: 'wx', mode: 0o600 });
    } catch {
      // Read-only, or another process wrote it first.
    }
    return null;
  }
  if (recorded === here) return null;
  const where = (text: string) => /^host (.*)$/m.exec(text)?.[1] ?? '?';
  return (
    `machine id ${id} was made on ${where(recorded)} (${/^home (.*)$/m.exec(recorded)?.[1] ?? '?'}), not here: ` +
    `this home was copied, and two machines with one id overwrite each other's change refs. ` +
    `Fix: on this machine only, ${RENEW_MACHINE_ID}`
  );
}

/** A fresh id: what `machineId` makes on first use. */
export function newMachineId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * Makes `id` this home's machine id, recorded as made here (`machine-id` and
 * `machine-id.origin`, each replaced atomically). Errors: the file system's.
 */
export function writeMachineId(home: string, id: string): void {
  if (!VALID.test(id)) throw new Error(`not a machine id: ${JSON.stringify(id)}`);
  writeFileAtomic(join(home, 'machine-id'), `${id}\n`, { mode: 0o644 });
  writeFileAtomic(join(home, ORIGIN_FILE), machineFingerprint(home), { mode: 0o600 });
}
