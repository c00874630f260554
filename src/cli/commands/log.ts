// log: the coordination history as a timeline, newest first.
import type { CAC } from 'cac';
import type { TimelineEntry } from '../../app/operations/log.js';
import type { UpdateDetails } from '../../app/operations/get-update.js';
import { parseSince } from '../../core/durations.js';
import { CliError, optionalString, type CliContext } from '../context.js';
import { requireGroup } from './shared.js';
// Loaded on use: `--help` and other commands need not pay for it.
const operation = () => import('../../app/operations/log.js');
const details = () => import('../../app/operations/get-update.js');

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('log', 'The coordination history, newest first: who, what, to whom, which commit')
    .option('--group <group>', 'Only this group')
    .option('--role <role>', 'Only records from or to this role')
    .option('--since <when>', 'Only newer records: an ISO date or 30m, 2h, 3d, 1w')
    .option('-n, --limit <count>', 'At most this many entries (default 20)')
    .option('--all', 'Include heartbeats')
    .option('--show <id>', 'One update in full: its files, targets and contract diff')
    .example((bin) => `  $ ${bin} log --group my-platform --role gateway --since 2h`)
    .example((bin) => `  $ ${bin} log --show commit-3f9c1a2b7d10e4f5`)
    .action(async (options: { group?: unknown; role?: unknown; since?: unknown; limit?: unknown; n?: unknown; all?: boolean; show?: unknown }) => {
      const show = optionalString(options.show);
      if (show !== undefined) {
        const found = await (await details()).getUpdate((await ctx.app()).ctx, { updateId: show });
        ctx.out(found, () => renderDetails(found));
        return;
      }
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
      // Topology records belong to every group ('*'): only they matching means a mistyped group
      // (a group deleted from the topology still shows its history).
      if (group && entries.every((e) => e.group === '*')) await requireGroup(ctx, group);
      const filters = [group && `group ${group}`, role && `role ${role}`, sinceText && `since ${sinceText}`].filter(Boolean);
      ctx.out({ entries }, () => (entries.length ? entries.map(renderEntry).join('\n') : filters.length ? `No records match ${filters.join(', ')}` : 'No records yet'));
    });
}

export function renderEntry(e: TimelineEntry): string {
  const time = e.at.replace('T', ' ').slice(0, 19);
  const to = e.to.length ? ` -> ${e.to.join(', ')}` : '';
  const commit = e.commit ? ` commit ${e.commit.slice(0, 10)}` : '';
  const remote = e.ref.startsWith('refs/remotes/') ? ` [${e.ref.split('/')[2]}]` : '';
  return `${time}  ${e.who}  ${e.what}${to}${commit}  ${e.summary}  (${e.sha.slice(0, 7)}${remote})`;
}

/** An update in full: its header, files, targets, and each contract file's changes. */
export function renderDetails(d: UpdateDetails): string {
  const u = d.update;
  const lines = [
    `${u.id}  ${u.timestamp.replace('T', ' ').slice(0, 19)}  from ${u.fromRole}${u.commit ? ` commit ${u.commit.slice(0, 10)}` : ''}`,
    `${(u.changeTypes ?? [u.changeType]).join('+')} [${u.priority}]: ${u.summary}`,
    `to: ${d.targets.map((t) => `${t.role} [${t.priority}]${t.via.length ? ` (via ${t.via.join(' > ')})` : ''}`).join(', ') || 'nobody'}`,
  ];
  if (d.files.length) lines.push(`files (${d.fileCount}): ${d.files.join(', ')}`);
  const c = d.contract;
  if (c) {
    lines.push('', `contract: ${c.digest}`);
    lines.push(`breaking: ${c.breaking ? 'yes' : 'no'}${c.breakingFrom.length ? ` (from ${c.breakingFrom.join(', ')})` : ''}${c.claimUnconfirmed ? '; the message says breaking, the diff found no breaking change' : ''}`);
    if (c.exports?.length) lines.push(`exports touched: ${c.exports.join(', ')}`);
    for (const consumer of c.consumers ?? []) lines.push(`consumer: ${consumer.role} uses ${consumer.names.join(', ')}`);
    for (const f of c.files) {
      lines.push(`  ${f.path}${f.oldPath ? ` (was ${f.oldPath})` : ''} [${f.format ?? 'unknown'}]${f.notCompared ? `: not compared: ${f.notCompared}` : ''}`);
      for (const change of f.changes ?? []) {
        if (change.repeat) continue;
        lines.push(`    ${change.severity.padEnd(9)} ${change.where}: ${change.message}${change.exportName ? ` [${change.exportName}]` : ''}`);
      }
      if (f.omitted) lines.push(`    … ${f.omitted} more`);
    }
    if (c.skipped) lines.push(`  ${c.skipped} more contract file(s) not compared`);
  }
  return lines.join('\n');
}
