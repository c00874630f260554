// This machine's id (config/machine.ts) and its renewal. Commit ingestion writes each member's
// changes to refs/orchestrator/changes/<machine-id>/<group>/<role>; two machines with one id (a
// copied home, a cloned VM) write the same refs and overwrite each other. Renewing gives this
// machine a new id and moves its change refs to it, so what it wrote under the old id is kept.
import { machineId, machineIdProblem, newMachineId, RENEW_MACHINE_ID, writeMachineId } from '../../config/machine.js';
import { NAMESPACE, StaleRefError } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { UserError } from '../errors.js';
import { readSyncStates } from '../share-state.js';

export interface MachineIdView {
  id: string;
  /** Why the id looks copied here (and how to fix it), or null. */
  problem: string | null;
}

export interface MachineIdRenewal {
  previous: string;
  id: string;
  /** Change refs moved from the old id to the new one. */
  moved: { from: string; to: string }[];
}

/**
 * The id this home uses (made on first use) and whether it looks copied: here (its origin file),
 * or from a remote whose copy of this machine's change refs holds commits it never wrote (the
 * last sync with each remote; share.ts).
 */
export function showMachineId(ctx: AppContext): MachineIdView {
  const id = machineId(ctx.paths.home);
  const local = machineIdProblem(ctx.paths.home);
  if (local) return { id, problem: local };
  for (const state of readSyncStates(ctx.paths.home)) {
    const refs = (state.last.foreignRefs ?? []).filter((r) => r.startsWith(`${NAMESPACE}changes/${id}/`));
    if (refs.length) {
      return {
        id,
        problem: `${state.remote} holds records on ${refs.join(', ')} that this machine did not write: another machine uses id ${id}. ` +
          `Fix: on one of the two machines only, ${RENEW_MACHINE_ID}`,
      };
    }
  }
  return { id, problem: null };
}

/** How often a ref that moved while being renamed (an ingester wrote to it) is tried again. */
const ATTEMPTS = 3;

/**
 * Gives this machine a new id: its change refs are copied to the new id's names, the id files
 * are replaced, then the old refs are deleted (each only if it did not move meanwhile; one that
 * moved is copied again). Interrupted, the old id stays in use and nothing is lost. Errors:
 * UserError REF_BUSY when a ref keeps moving under a running ingester (run it again).
 */
export async function renewMachineId(ctx: AppContext): Promise<MachineIdRenewal> {
  const previous = machineId(ctx.paths.home);
  const id = newMachineId();
  const oldPrefix = `${NAMESPACE}changes/${previous}/`;
  const renamed = (ref: string) => `${NAMESPACE}changes/${id}/${ref.slice(oldPrefix.length)}`;
  const refs = await ctx.store.listRefs([oldPrefix]);
  for (const [ref, sha] of refs) await ctx.store.compareAndSwap(renamed(ref), null, sha);
  writeMachineId(ctx.paths.home, id);
  const moved: MachineIdRenewal['moved'] = [];
  for (let [ref, sha] of refs) {
    for (let attempt = 1; ; attempt++) {
      try {
        await ctx.store.deleteRef(ref, sha);
        break;
      } catch (error) {
        if (!(error instanceof StaleRefError) || attempt >= ATTEMPTS || !error.actual) {
          throw new UserError('REF_BUSY', `${ref} kept moving while it was renamed to ${renamed(ref)}`, 'run `claude-orchestrator machine-id --renew` again');
        }
        // Written under the old id after the copy (the ingester had read the old id): carry it over.
        await ctx.store.compareAndSwap(renamed(ref), sha, error.actual);
        sha = error.actual;
      }
    }
    moved.push({ from: ref, to: renamed(ref) });
  }
  ctx.listeners.written?.();
  return { previous, id, moved };
}
