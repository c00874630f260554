// Helpers shared by the topology commands: load a valid topology, run an edit, report its side notes.
import type { EditResult } from '../../app/topology-service.js';
import type { Topology } from '../../core/types.js';
import { formatProblem } from '../../topology/problem.js';
import { CliError, type CliContext } from '../context.js';

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

/** Applies `change` as one commit; prints notices, and the validation warnings it introduced, on stderr. */
export async function applyEdit(
  ctx: CliContext,
  action: string,
  change: (text: string) => string,
  group?: string,
): Promise<EditResult> {
  const service = await ctx.topology();
  // Only the warnings this edit brings: `member remove` or `rule add` should not repeat that some
  // other member's path is missing (`validate` lists every problem).
  let before = new Set<string>();
  const result = await service.edit(
    action,
    (text) => {
      before = new Set(service.validate(text).warnings.map((w) => w.message));
      return change(text);
    },
    group ? { group } : {},
  );
  for (const notice of result.notices) ctx.note(`${ctx.bin}: ${notice}`);
  for (const warning of result.warnings) if (!before.has(warning.message)) ctx.note(`warning: ${formatProblem(warning, service.file)}`);
  return result;
}

/** The topology editing functions, loaded on first use (they bring the YAML library). */
export function editing(): Promise<typeof import('../../topology/edit.js')> {
  return import('../../topology/edit.js');
}

export function shortSha(sha: string | null): string {
  return sha ? sha.slice(0, 7) : '-';
}

/**
 * Fails with "group does not exist" (exit 1) when the topology has no such group; for commands
 * that would otherwise answer about a mistyped group with an empty result. An unreadable
 * topology is left to the command (its history is still worth showing).
 */
export async function requireGroup(ctx: CliContext, group: string): Promise<void> {
  const loaded = await (await ctx.topology()).load();
  if (!loaded.topology || loaded.topology.groups[group]) return;
  const names = Object.keys(loaded.topology.groups);
  throw new CliError(`group "${group}" does not exist`, names.length ? `groups: ${names.join(', ')}` : `create it with: ${ctx.bin} group create ${group}`);
}
