// validate | init | config-path
import type { CAC } from 'cac';
import { EXAMPLE_TOPOLOGY } from '../../topology/example.js';
import { formatProblem } from '../../topology/problem.js';
import { CliError, type CliContext } from '../context.js';
import { applyEdit, shortSha } from './shared.js';

export function register(cli: CAC, ctx: CliContext): void {
  cli.command('validate', 'Check the topology: every error and warning with its line and column').action(async () => {
    const service = await ctx.topology();
    const loaded = await service.load();
    for (const notice of loaded.notices) ctx.note(`${ctx.bin}: ${notice}`);
    const file = loaded.source === 'default' ? `${service.file} (missing: the empty default)` : service.file;
    const groups = loaded.topology ? Object.values(loaded.topology.groups) : [];
    const members = groups.reduce((n, g) => n + g.members.length, 0);
    const valid = loaded.errors.length === 0;
    if (!valid) ctx.exitCode = 1;
    ctx.out(
      { valid, file: service.file, source: loaded.source, errors: loaded.errors, warnings: loaded.warnings, groups: groups.length, members },
      () => {
        const lines = [
          ...loaded.errors.map((p) => `error: ${formatProblem(p, service.file)}`),
          ...loaded.warnings.map((p) => `warning: ${formatProblem(p, service.file)}`),
        ];
        lines.push(
          valid
            ? `${file} is valid: ${groups.length} group${groups.length === 1 ? '' : 's'}, ${members} member${members === 1 ? '' : 's'}${loaded.warnings.length ? `, ${loaded.warnings.length} warning${loaded.warnings.length === 1 ? '' : 's'}` : ''}`
            : `${file} has ${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}`,
        );
        return lines.join('\n');
      },
    );
  });

  cli
    .command('init', 'Write the example topology and create the coordination repo')
    .option('--force', 'Replace an existing topology with the example')
    .action(async (options: { force?: boolean }) => {
      const service = await ctx.topology();
      const exists = await service.exists();
      if ((exists.file || exists.recorded) && !options.force) {
        throw new CliError(
          `a topology already exists at ${service.file}`,
          `edit it, or replace it with the example: ${ctx.bin} init --force`,
        );
      }
      const result = await applyEdit(ctx, 'init: example topology', () => EXAMPLE_TOPOLOGY);
      const paths = ctx.paths();
      ctx.out(
        { topologyFile: paths.topologyFile, repoGitDir: paths.repoGitDir, commit: result.sha },
        [
          `Wrote the example topology to ${paths.topologyFile} (${shortSha(result.sha)})`,
          `Coordination repo: ${paths.repoGitDir}`,
          `Edit the paths and roles, then check it with: ${ctx.bin} validate`,
        ].join('\n'),
      );
    });

  cli
    .command('config-path', 'Print where the topology file is')
    .option('--repo', "Print the coordination repo's git directory instead")
    .action(async (options: { repo?: boolean }) => {
      const paths = ctx.paths();
      const path = options.repo ? paths.repoGitDir : paths.topologyFile;
      ctx.out({ path, topologyFile: paths.topologyFile, repoGitDir: paths.repoGitDir, home: paths.home }, path);
    });
}
