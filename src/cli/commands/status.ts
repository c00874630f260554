// status [group]: sessions, pending sync points, remotes, problems.
import type { CAC } from 'cac';
import { describeConflict } from '../../app/share-state.js';
import type { StatusReport } from '../../app/operations/status.js';
import type { CliContext } from '../context.js';
import { requireGroup } from './shared.js';
// Loaded on use: `--help` and other commands need not pay for it.
const application = () => import('../../app/open.js');
// Loaded on use: `--help` and other commands need not pay for it.
const operation = () => import('../../app/operations/status.js');

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('status [group]', 'Sessions (active, stale, ended) and their tasks, pending sync points, last sync per remote; exits 1 when it lists problems')
    .action(async (group: string | undefined) => {
      const app = await (await application()).openApp({ env: ctx.env });
      ctx.onClose(() => app.close());
      const report = await (await operation()).status(app.ctx, { home: app.paths.home, ...(group ? { group } : {}) });
      if (group) {
        const entry = report.groups.find((g) => g.name === group);
        if (!entry || (entry.sessions.length === 0 && entry.pendingSyncPoints.length === 0)) await requireGroup(ctx, group);
      }
      ctx.out(report, () => renderStatus(report));
      // The whole report is printed either way; a script (or CI) learns from the exit code that
      // something needs a person: a damaged ref, records skipped as invalid, unauthorized or
      // unreadable, a copied machine id.
      // A problem, a topology conflict or a remote whose last sync failed: all are listed, all exit 1.
      if (report.problems.length > 0 || report.conflicts.length > 0 || report.remotes.some((r) => r.lastSync !== null && !r.ok)) ctx.exitCode = 1;
    });
}

export function renderStatus(report: StatusReport): string {
  const lines: string[] = [];
  if (report.groups.length === 0) lines.push('No sessions yet');
  for (const g of report.groups) {
    lines.push(`${g.name}:`);
    if (g.sessions.length === 0) lines.push('  no sessions');
    for (const s of g.sessions) {
      lines.push(`  ${s.status.padEnd(6)}  ${s.role}  ${s.sessionId}  on ${s.host}  last seen ${s.lastHeartbeat}${s.currentTask ? `  task: ${s.currentTask}` : ''}`);
    }
    if (g.ended) lines.push(`  ${g.ended} ended session(s) (claude-orchestrator log shows them)`);
    if (g.members?.length) lines.push(`  commits followed: ${g.members.map((m) => `${m.role} by ${m.commits === 'none' ? 'nobody (run hooks install, or start a session)' : m.commits}`).join(', ')}`);
    for (const u of g.undelivered) {
      lines.push(`  update ${u.id} from ${u.fromRole}: ${u.roles.map((r) => `${r.role} ${r.state}`).join(', ')}  (${u.summary.slice(0, 60)})`);
    }
    for (const p of g.pendingSyncPoints) {
      const waiting = p.waitingFor.map((w) => `${w.role}${w.sessions.length ? ` (${w.sessions.join(', ')})` : ' (nobody running)'}`).join(', ');
      lines.push(`  sync point ${p.syncPointId} by ${p.requestedBy.role}: ${p.description}`);
      lines.push(`    waiting for ${waiting}; acknowledged: ${p.acknowledgedBy.join(', ') || 'nobody yet'}; expires ${p.expiresAt}`);
    }
  }
  lines.push('', report.remotes.length ? 'Remotes:' : 'Remotes: none (claude-orchestrator remote add <name> <url>)');
  for (const r of report.remotes) {
    const state = r.lastSync === null ? 'never synced' : r.ok ? `last sync ${r.lastSync} ok` : `last sync ${r.lastSync} FAILED (${r.failures} in a row): ${r.error}`;
    lines.push(`  ${r.name}  ${r.url}  ${state}`);
  }
  for (const c of report.conflicts) {
    lines.push(describeConflict(c));
  }
  for (const p of report.problems) lines.push(`problem: ${p}`);
  return lines.join('\n');
}
