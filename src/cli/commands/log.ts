// log: the coordination history as a timeline, newest first.
import type { CAC } from 'cac';
import type { TimelineEntry } from '../../app/operations/log.js';
import { parseSince } from '../../core/durations.js';
import { CliError, optionalString, type CliContext } from '../context.js';
import { requireGroup } from './shared.js';
// Loaded on use: `--help` and other commands need not pay for it.
const operation = () => import('../../app/operations/log.js');

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('log', 'The coordination history, newest first: who, what, to whom, which commit')
    .option('--group <group>', 'Only this group')
    .option('--role <role>', 'Only records from or to this role')
    .option('--since <when>', 'Only newer records: an ISO date or 30m, 2h, 3d, 1w')
    .option('-n, --limit <count>', 'At most this many entries (default 20)')
    .option('--all', 'Include heartbeats')
    .example((bin) => `  $ ${bin} log --group my-platform --role gateway --since 2h`)
    .action(async (options: { group?: unknown; role?: unknown; since?: unknown; limit?: unknown; n?: unknown; all?: boolean }) => {
      const sinceText = optionalString(options.since);
      const since = sinceText === undefined ? undefined : parseSince(sinceText, Date.now());
      if (since === null) throw new CliError(`cannot read --since ${sinceText}`, 'use an ISO date (2024-05-01T12:00) or a duration like 30m, 2h, 3d');
      const limitText = optionalString(options.limit ?? options.n);
      const limit = limitText === undefined ? 20 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`-n wants a positive whole number, not ${limitText}`);
      const group = optionalString(options.group);
      const role = optionalString(options.role);
      const entries = await (await operation()).log((await ctx.app()).ctx, {
        limit,
        ...(group ? { group } : {}),
        ...(role ? { role } : {}),
        ...(since !== undefined ? { since } : {}),
        heartbeats: options.all === true,
      });
      if (group && entries.length === 0) await requireGroup(ctx, group);
      ctx.out({ entries }, () => (entries.length ? entries.map(renderEntry).join('\n') : 'No records yet'));
    });
}

export function renderEntry(e: TimelineEntry): string {
  const time = e.at.replace('T', ' ').slice(0, 19);
  const to = e.to.length ? ` -> ${e.to.join(', ')}` : '';
  const commit = e.commit ? ` commit ${e.commit.slice(0, 10)}` : '';
  const remote = e.ref.startsWith('refs/remotes/') ? ` [${e.ref.split('/')[2]}]` : '';
  return `${time}  ${e.who}  ${e.what}${to}${commit}  ${e.summary}  (${e.sha.slice(0, 7)}${remote})`;
}
