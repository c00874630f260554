// The compact line an update carries: the most severe changes first, capped in bytes.
import type { ContractChange, Severity } from './types.js';

/** Upper bound of a digest, in UTF-8 bytes. */
export const DIGEST_MAX_BYTES = 400;

const RANK: Record<Severity, number> = { breaking: 0, dangerous: 1, safe: 2 };

/** Changes ordered breaking, dangerous, safe; within each, those naming an export first; stable. */
export function sortChanges(changes: ContractChange[]): ContractChange[] {
  return changes
    .map((change, index) => ({ change, index }))
    .sort(
      (a, b) =>
        RANK[a.change.severity] - RANK[b.change.severity] ||
        Number(!a.change.exportName) - Number(!b.change.exportName) ||
        a.index - b.index,
    )
    .map(({ change }) => change);
}

/**
 * `msg (severity); msg (severity); … +N more`, at most `maxBytes` UTF-8 bytes. Repeated
 * messages appear once. Expects `changes` already sorted (see `sortChanges`).
 */
export function digestOf(changes: ContractChange[], maxBytes = DIGEST_MAX_BYTES): string {
  if (!changes.length) return 'no contract change';
  const parts: string[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  let left = 0;
  const shown = changes.some((c) => !c.repeat) ? changes.filter((c) => !c.repeat) : changes;
  for (const change of shown) {
    const part = `${change.message} (${change.severity})`;
    if (seen.has(part)) continue;
    seen.add(part);
    const size = Buffer.byteLength(part) + (parts.length ? 2 : 0);
    // Room for the "; … +N more" tail (at most ~16 bytes) is kept while more may follow.
    if (left || bytes + size > maxBytes - 16) {
      left++;
      continue;
    }
    parts.push(part);
    bytes += size;
  }
  if (!parts.length) return truncateBytes(`${changes[0]!.message} (${changes[0]!.severity})`, maxBytes);
  return left ? `${parts.join('; ')}; … +${left} more` : parts.join('; ');
}

/** `text` cut to at most `maxBytes` UTF-8 bytes (ending in `…` when cut). */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = text.slice(0, maxBytes);
  while (Buffer.byteLength(out + '…') > maxBytes) out = out.slice(0, -1);
  return out + '…';
}
