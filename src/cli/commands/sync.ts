// sync [--remote <name>]: fetch the others' records, push ours, merge the topology.
import type { CAC } from 'cac';
import type { RemoteSyncResult } from '../../app/operations/share.js';
import { CliError, optionalString, type CliContext } from '../context.js';
// Loaded on use: `--help` and other commands need not pay for it.
const operation = () => import('../../app/operations/share.js');

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('sync', 'Exchange records with the remotes: fetch the others\', push ours, merge the topology')
    .option('--remote <name>', 'Only this remote (default: all)')
    .action(async (options: { remote?: unknown }) => {
      const remote = optionalString(options.remote);
      let report;
      try {
        report = await (await operation()).share(await ctx.app(), { ...(remote ? { remote } : {}), interactive: process.stdin.isTTY === true });
      } catch (error) {
        if (error instanceof (await operation()).SyncSetupError) throw new CliError(error.message, error.hint);
        throw error;
      }
      if (report.remotes.length === 0) {
        throw new CliError('no remote to sync with', `add one with: ${ctx.bin} remote add <name> <url>`);
      }
      if (report.remotes.some((r) => !r.ok)) ctx.exitCode = 1;
      for (const r of report.remotes) for (const notice of r.notices) ctx.note(`${ctx.bin}: ${r.remote}: ${notice}`);
      ctx.out(report, () => report.remotes.map(describeSync).join('\n'));
    });
}

export function describeSync(r: RemoteSyncResult): string {
  if (!r.ok) return `${r.remote}: FAILED (${r.error}); nothing is lost: the next sync tries again`;
  const parts = [`${r.fetched} ref(s) fetched`, `${r.pushed} pushed`];
  if (r.deleted) parts.push(`${r.deleted} pruned ref(s) deleted`);
  parts.push(`topology ${r.topology}`);
  let text = `${r.remote}: ${parts.join(', ')} (${r.durationMs} ms)`;
  for (const refused of r.refused ?? []) {
    text += `\n  refused ${refused.ref} at ${refused.commit.slice(0, 12)}: ${refused.reason}; see status`;
  }
  if (r.conflict) {
    text += r.conflict.kept === 'theirs'
      ? `\n  topology CONFLICT: ${r.conflict.reason}. topology.yml now holds ${r.remote}'s version; this machine's is in ${r.conflict.file}. Merge what you still need into topology.yml, then delete that file.`
      : `\n  topology CONFLICT: ${r.conflict.reason}. Kept this machine's topology.yml; theirs is in ${r.conflict.file}. Merge what you need into topology.yml, then delete that file.`;
  }
  return text;
}
