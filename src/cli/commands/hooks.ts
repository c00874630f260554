// hooks install | uninstall | status: the post-commit hook that turns commits into change records.
import type { CAC } from 'cac';
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HookReport } from '../../app/operations/git-hooks.js';
import { CliError, optionalString, type CliContext } from '../context.js';
import { loadValid } from './shared.js';
// Loaded on use: `--help` and other commands need not pay for it.
const install = () => import('../../app/operations/git-hooks.js');

type Options = { group?: unknown };

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('hooks install [...paths]', 'Install the post-commit hook in member repos (default: every member)')
    .option('--group <group>', 'Only the members of this group')
    .example((bin) => `  $ ${bin} hooks install --group my-platform`)
    .action(async (paths: string[], options: Options) => {
      const home = ctx.paths().home;
      const runtime = (await install()).currentRuntime(home);
      await warnOutsideGroups(ctx, paths);
      const shared = await import('../../app/shared-paths.js');
      // Paths named here are the user's own from now on; paths that only a remote's topology
      // named are skipped by a bulk install until then (app/shared-paths.ts).
      if (paths.length > 0) shared.confirmPaths(home, paths.map((p) => resolve(ctx.cwd, String(p))));
      const fromRemotes = paths.length > 0 ? new Map() : shared.pathsFromRemotes(home);
      const reports = await forEachRepo(ctx, paths, options, async (repo) => {
        const arrival = fromRemotes.get(repo);
        if (!arrival) return (await install()).installHook(repo, runtime);
        // This home's hook exactly is there already: it was confirmed here before. An outdated
        // one may be another home's or version's: not taken over without the path being named.
        const status = await (await install()).hookStatus(repo, runtime).catch(() => null);
        if (status?.state === 'current') return status;
        return {
          repo, manager: 'git', state: 'skipped', changed: false,
          message: `skipped: this path came with ${arrival.remote}'s topology (${arrival.at}) and was never named on this machine; if it is your checkout, run: ${ctx.bin} hooks install ${repo}`,
        } satisfies HookReport;
      });
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

/**
 * Runs `act` on each repo: the paths given, else the members (of --group). A path that is not a
 * git worktree is reported in one line and makes the command exit 1.
 */
async function forEachRepo(ctx: CliContext, paths: string[], options: Options, act: (repo: string) => Promise<HookReport>): Promise<HookReport[]> {
  const repos = paths.length > 0 ? paths.map((p) => resolve(ctx.cwd, String(p))) : await memberRepos(ctx, optionalString(options.group));
  const reports: HookReport[] = [];
  for (const repo of repos) {
    if (!existsSync(repo)) {
      reports.push({ repo, manager: 'git', state: 'missing', message: 'error: no such folder', changed: false });
      ctx.exitCode = 1;
      continue;
    }
    try {
      reports.push(await act(repo));
    } catch (error) {
      // The first line, without the git command line that failed ("... is not a git worktree").
      const message = (error as Error).message.split('\n')[0]!.replace(/: Command failed: .*$/, '');
      reports.push({ repo, manager: 'git', state: 'missing', message: `error: ${message}`, changed: false });
      ctx.exitCode = 1;
    }
  }
  return reports;
}

/** Says so, on stderr, for each given path that is a member of no group: its commits would reach nobody. */
async function warnOutsideGroups(ctx: CliContext, paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  const loaded = await (await ctx.topology()).load();
  if (!loaded.topology) return;
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : p);
  const members = new Set(Object.values(loaded.topology.groups).flatMap((g) => g.members.map((m) => real(m.path))));
  for (const path of paths) {
    const repo = resolve(ctx.cwd, String(path));
    if (existsSync(repo) && !members.has(real(repo))) {
      ctx.note(`warning: ${repo} is in no group: its commits become change records that reach nobody (add it with: ${ctx.bin} member add <group> ${repo} --role <role>)`);
    }
  }
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

/** `<repo>: <what was done or found>`: the message says it (the state is in --json). */
function line(r: HookReport): string {
  return `${r.repo}: ${r.message}`;
}

function render(ctx: CliContext, reports: HookReport[]): void {
  ctx.out({ repos: reports }, () => reports.map((r) => `${line(r)}${r.instructions ? `\n\n${r.instructions}` : ''}`).join('\n'));
}
