// Appends records only if a ref is still where the caller read it: the commit ingester computes
// its cursor from the tip, so writing on a moved tip could record a commit twice.
import { encodeRecordMessage, type OrchestratorRecord } from '../core/records.js';
import { StaleRefError } from './errors.js';
import { commitBody, EMPTY_TREE, writeObject } from './objects.js';
import { assertRefName } from './refnames.js';
import { withRefLock } from './refs.js';

/** One commit per record on top of `expectedTip`; throws StaleRefError when the ref moved. */
export async function appendIfTip(gitDir: string, ref: string, expectedTip: string | null, records: OrchestratorRecord[]): Promise<string[]> {
  assertRefName(ref);
  if (records.length === 0) return [];
  const shas: string[] = [];
  let parent = expectedTip;
  for (const record of records) {
    const at = Number.isFinite(record.at) ? record.at : Date.now();
    const who = { name: `${record.role} (${record.group})`, email: `${record.role}@orchestrator.invalid`, seconds: Math.floor(at / 1000) };
    parent = writeObject(gitDir, 'commit', commitBody(EMPTY_TREE, parent ? [parent] : [], who, encodeRecordMessage(record)));
    shas.push(parent);
  }
  return withRefLock(gitDir, ref, (current) => {
    if (current !== expectedTip) throw new StaleRefError(ref, expectedTip, current);
    return { write: shas[shas.length - 1], result: shas };
  });
}
