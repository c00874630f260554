// The one way the application writes a record: stamped with the format version and the next
// Lamport clock, appended to its ref, and folded into this process's state at once.
import type { OrchestratorRecord } from '../core/records.js';
import { nextClock, sanitizeRecord } from '../core/record-schema.js';
import type { AppContext } from './context.js';

/** A record before the writer stamps its version and Lamport clock. */
export type RecordDraft = OrchestratorRecord extends infer R ? (R extends OrchestratorRecord ? Omit<R, 'v' | 'clock'> : never) : never;

/**
 * Appends one record on `ref` with the next clock after the highest read so far (`nextClock`), and returns it as
 * written. With `expectedTip` (a compare-and-swap, for a record decided from what the ref held:
 * `ctx.records.tipOf(ref)`), only if the ref is still there. Errors: the store's (`StoreError`),
 * e.g. REF_LOCKED when the ref stays locked, `StaleRefError` when it moved from `expectedTip`.
 */
export async function writeRecord<D extends RecordDraft>(ctx: AppContext, ref: string, draft: D, options: { expectedTip?: string | null } = {}): Promise<D & { v: 1; clock: number }> {
  // Free text from users or other tools may hold control characters: replaced, never written (git fsck refuses a NUL).
  const record = sanitizeRecord({ ...draft, v: 1 as const, clock: nextClock(ctx.records.maxClock) } as OrchestratorRecord) as unknown as D & { v: 1; clock: number };
  const [sha] = await ctx.store.append(ref, [record], options.expectedTip !== undefined ? { expectedTip: options.expectedTip } : {});
  ctx.records.add({ record: record as OrchestratorRecord, sha: sha! });
  ctx.listeners.written?.();
  return record;
}
