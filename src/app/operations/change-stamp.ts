// A fingerprint of everything a reader shows, cheap enough to poll several times a second: it
// changes when any ref tip moves (a record written by any process, a fetch), when topology.yml
// changes, or when a share with a remote finishes. Reads no object.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { AppContext } from '../context.js';
import { readSyncStates } from '../share-state.js';

/** 16 hex characters; equal stamps mean nothing shown has changed. */
export async function changeStamp(ctx: AppContext): Promise<string> {
  const refs = [...(await ctx.store.listRefs())].sort(([a], [b]) => (a < b ? -1 : 1));
  const topology = await stat(ctx.paths.topologyFile).then((s) => `${s.size}:${s.mtimeMs}`, () => 'none');
  const shares = readSyncStates(ctx.paths.home).map((s) => `${s.remote}:${s.last.at}:${s.last.ok}`);
  const hash = createHash('sha1');
  for (const [ref, sha] of refs) hash.update(`${ref} ${sha}\n`);
  hash.update(`${topology}\n${shares.join('\n')}`);
  return hash.digest('hex').slice(0, 16);
}
