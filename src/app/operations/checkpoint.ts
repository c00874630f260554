// Writing the checkpoint on request: what a server asks for in the background when it had to
// fold many records the checkpoint did not hold (it never writes one itself: see open-context).
import { join } from 'node:path';
import { acquireFileLock, type LockAttempt } from '../../config/files.js';
import { CHECKPOINT_AFTER } from '../open-context.js';
import { openApp } from '../open.js';

export interface CheckpointResult {
  /** Commits folded that the last checkpoint did not hold. */
  commitsRead: number;
  /** Whether a checkpoint was written (only past CHECKPOINT_AFTER new commits). */
  written: boolean;
  /** Another process holds the checkpoint lock (and its pid): nothing was done. */
  busy: string | null;
  ms: number;
}

/** A writer that died holding the lock frees it this late at most (a fold of 1M records takes ~20 s). */
const LOCK_STALE_MS = 10 * 60_000;

/**
 * Folds what is new since the checkpoint and writes it when that is CHECKPOINT_AFTER commits or
 * more. One process at a time (`<home>/cache/checkpoint.lock`): several servers starting on a
 * long history each ask, and one fold of 1M records holds ~1 GB. Errors: those of `openApp`.
 */
export async function refreshCheckpoint(env: NodeJS.ProcessEnv): Promise<CheckpointResult> {
  const started = Date.now();
  // Opened first: a home with no coordination repo gets its error, and no lock left behind.
  const app = await openApp({ env, create: false });
  let lock: LockAttempt | undefined;
  try {
    lock = await acquireFileLock(join(app.paths.home, 'cache', 'checkpoint.lock'), { staleMs: LOCK_STALE_MS, timeoutMs: 0, what: 'the checkpoint' });
    if ('busy' in lock) return { commitsRead: 0, written: false, busy: lock.busy, ms: Date.now() - started };
    await app.ctx.records.refresh();
    const commitsRead = app.ctx.records.commitsRead;
    return { commitsRead, written: commitsRead >= CHECKPOINT_AFTER, busy: null, ms: Date.now() - started };
  } finally {
    app.close(); // writes the checkpoint past CHECKPOINT_AFTER commits read, under the lock
    if (lock && 'held' in lock) await lock.held.release();
  }
}
