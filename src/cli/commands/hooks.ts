// hooks install | uninstall | status: the post-commit hook that turns commits into change records.
import type { CAC } from 'cac';
import type { HookReport } from '../../git-hooks/install.js';
import { CliError, optionalString, type CliContext } from '../context.js';
import { loadValid } from './shared.js';
// Loaded on use: `--help` and other commands need not pay for it.
const install = () => import('../../git-hooks/install.js');

type Options = { group?: unknown };

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('hooks install [...paths]', 'Install the post-commit hook in member repos (default: every member)')
    .option('--group <group>', 'Only the members of this group')
    .example((bin) => `  $ ${bin} hooks install --group my-platform`)
    .action(async (paths: string[], options: Options) => {
      const runtime = (await install()).currentRuntime(ctx.paths().home);
      const reports = await forEachRepo(ctx, paths, options, async (repo) => (await install()).installHook(repo, runtime));
      render(ctx, reports);
      if (reports.some((r) => r.state === 'foreign')) ctx.exitCode = 1;
    });

  cli
    .command('hooks uninstall [...paths]', 'Remove the hook and restore what was there before')
    .option('--group <group>', 'Only the members of this group')
    .action(async (paths: string[], options: Options) => {
      render(ctx, await forEachRepo(ctx, paths, options, async (repo) => (await install()).uninstallHook(repo)));
    });

  cli
    .command('hooks status [...paths]', 'Show, per member, whether the hook is installed and current')
    .option('--group <group>', 'Only the members of this group')
    .action(async (paths: string[], options: Options) => {
      const runtime = (await install()).currentRuntime(ctx.paths().home);
      render(ctx, await forEachRepo(ctx, paths, options, async (repo) => (await install()).hookStatus(repo, runtime)));
    });
}

/** For `member add --install-hooks`: installs into one repo and prints the outcome. */
export async function installHooksInto(ctx: CliContext, repo: string): Promise<HookReport> {
  const report = await (await install()).installHook(repo, (await install()).currentRuntime(ctx.paths().home));
  ctx.note(line(report));
  if (report.instructions) ctx.note(report.instructions);
  return report;
}

async function forEachRepo(ctx: CliContext, paths: string[], options: Options, act: (repo: string) => Promise<HookReport>): Promise<HookReport[]> {
  const repos = paths.length > 0 ? paths.map(String) : await memberRepos(ctx, optionalString(options.group));
  const reports: HookReport[] = [];
  for (const repo of repos) {
    try {
      reports.push(await act(repo));
    } catch (error) {
      reports.push({ repo, manager: 'git', state: 'missing', message: (error as Error).message, changed: false });
    }
  }
  return reports;
}

async function memberRepos(ctx: CliContext, group: string | undefined): Promise<string[]> {
  const topology = await loadValid(ctx);
  const groups = group === undefined ? Object.values(topology.groups) : [topology.groups[group]];
  if (groups[0] === undefined) {
    throw new CliError(`unknown group ${JSON.stringify(group)}`, `groups: ${Object.keys(topology.groups).join(', ') || 'none'}`);
  }
  const repos = [...new Set(groups.flatMap((g) => g!.members.map((m) => m.path)))];
  if (repos.length === 0) throw new CliError('no member repos', `add one with: ${ctx.bin} member add <group> <path> --role <role>`);
  return repos;
}

function line(r: HookReport): string {
  return `${r.repo}: ${r.state} (${r.manager}) ${r.message}`;
}

function render(ctx: CliContext, reports: HookReport[]): void {
  ctx.out({ repos: reports }, () => reports.map((r) => `${line(r)}${r.instructions ? `\n\n${r.instructions}` : ''}`).join('\n'));
}
