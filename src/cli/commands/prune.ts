// prune [--older-than 30d] [--keep-archive 30d] [--dry-run]: archive ended sessions, restart long change refs.
import type { CAC } from 'cac';
import { parseDuration } from '../../core/durations.js';
import type { PruneReport } from '../../app/operations/prune.js';
import { loadSettings } from '../../app/settings.js';
import { CliError, optionalString, type CliContext } from '../context.js';

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('prune', 'Archive sessions silent or ended longer than the horizon, restart old change refs, expire old archives')
    .option('--older-than <age>', 'The horizon (default 30d; at least the retention window)')
    .option('--keep-archive <age>', 'How long archived refs stay (default: the horizon)')
    .option('--dry-run', 'Only say what would be done')
    .action(async (options: { olderThan?: unknown; keepArchive?: unknown; dryRun?: boolean }) => {
      const horizon = duration(optionalString(options.olderThan) ?? '30d', '--older-than');
      const keep = optionalString(options.keepArchive);
      const retention = loadSettings(ctx.env).retentionMs;
      if (horizon < retention) {
        throw new CliError(
          `--older-than must be at least the retention window (${Math.round((retention / 86_400_000) * 100) / 100}d): records younger than that may still be waiting for a reader`,
          'use a longer horizon, or lower CLAUDE_ORCHESTRATOR_RETENTION_DAYS',
        );
      }
      const { prune } = await import('../../app/operations/prune.js');
      const report = await prune((await ctx.app()).ctx, {
        olderThanMs: horizon,
        ...(keep ? { keepArchiveMs: duration(keep, '--keep-archive') } : {}),
        dryRun: options.dryRun === true,
      });
      ctx.out(report, () => renderPrune(report));
    });
}

function duration(text: string, option: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new CliError(`cannot read ${option} ${text}`, 'use a duration like 30d, 12h, 2w');
  return ms;
}

function renderPrune(r: PruneReport): string {
  const verb = r.dryRun ? 'would ' : '';
  const lines = [`Horizon: ${r.horizon}${r.dryRun ? ' (dry run: nothing changed)' : ''}`];
  for (const a of r.archived) lines.push(`${verb}archive ${a.ref} (last record ${a.lastRecord}) -> ${a.archive}`);
  for (const s of r.restarted) lines.push(`${verb}restart ${s.ref}: keep ${s.kept} record(s), drop ${s.dropped} (old chain -> ${s.archive})`);
  for (const e of r.expired) lines.push(`${verb}delete expired archive ${e}`);
  for (const s of r.skipped) lines.push(`skipped ${s.ref}: ${s.reason}`);
  if (lines.length === 1) lines.push('Nothing to prune');
  else if (!r.dryRun && (r.archived.length || r.restarted.length)) lines.push('The next sync removes (or replaces) the remote copies of these refs.');
  return lines.join('\n');
}
