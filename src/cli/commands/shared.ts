// Helpers shared by the topology commands: load a valid topology, run an edit, report its side notes.
import type { EditResult } from '../../app/topology-service.js';
import type { Topology } from '../../core/types.js';
import { formatProblem } from '../../topology/problem.js';
import type { CliContext } from '../context.js';

/** The current topology; fails with every problem listed when it is invalid. */
export async function loadValid(ctx: CliContext): Promise<Topology> {
  const service = await ctx.topology();
  const loaded = await service.load();
  for (const notice of loaded.notices) ctx.note(`${ctx.bin}: ${notice}`);
  if (!loaded.topology) {
    const { TopologyInvalidError } = await import('../../app/topology-service.js');
    throw new TopologyInvalidError(loaded.errors, service.file);
  }
  return loaded.topology;
}

/** Applies `change` as one commit; prints notices and validation warnings on stderr. */
export async function applyEdit(
  ctx: CliContext,
  action: string,
  change: (text: string) => string,
  group?: string,
): Promise<EditResult> {
  const service = await ctx.topology();
  const result = await service.edit(action, change, group ? { group } : {});
  for (const notice of result.notices) ctx.note(`${ctx.bin}: ${notice}`);
  for (const warning of result.warnings) ctx.note(`warning: ${formatProblem(warning, service.file)}`);
  return result;
}

/** The topology editing functions, loaded on first use (they bring the YAML library). */
export function editing(): Promise<typeof import('../../topology/edit.js')> {
  return import('../../topology/edit.js');
}

export function shortSha(sha: string | null): string {
  return sha ? sha.slice(0, 7) : '-';
}
