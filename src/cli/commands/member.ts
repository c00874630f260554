// member add | remove
import type { CAC } from 'cac';
import { listOption, requiredOption, type CliContext } from '../context.js';
import { applyEdit, editing, shortSha } from './shared.js';

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('member add <group> <path>', 'Add a repository to a group')
    .option('--role <role>', 'Its role in the group (required, unique in the group)')
    .option('--depends-on <roles>', 'Comma-separated roles it depends on')
    .option('--exports <names>', 'Comma-separated things it offers its dependents (types, APIs)')
    .option('--install-hooks', 'Also install the post-commit hook that turns its commits into change events')
    .example((bin) => `  $ ${bin} member add my-platform ~/repos/api-gateway --role gateway --depends-on auth`)
    .action(async (group: string, path: string, options: { role?: unknown; dependsOn?: unknown; exports?: unknown; installHooks?: unknown }) => {
      const role = requiredOption(options.role, '--role <role>', `e.g. ${ctx.bin} member add ${group} ${path} --role api`);
      const dependsOn = listOption(options.dependsOn);
      const exports = listOption(options.exports);
      const action = `member add ${group} ${role}${dependsOn.length ? ` (depends on ${dependsOn.join(', ')})` : ''}`;
      const { addMember } = await editing();
      const result = await applyEdit(ctx, action, (text) => addMember(text, group, { path: String(path), role, dependsOn, exports }, ctx.pathContext()), group);
      const member = (await (await ctx.topology()).load()).topology?.groups[group]?.members.find((m) => m.role === role);
      // Named on this machine: a bulk `hooks install` no longer skips it (app/shared-paths.ts).
      if (member) (await import('../../app/shared-paths.js')).confirmPaths(ctx.paths().home, [member.path]);
      const hooks = options.installHooks && member ? await (await import('./hooks.js')).installHooksInto(ctx, member.path) : null;
      ctx.out(
        { group, role, added: result.changed, commit: result.sha, ...(hooks ? { hooks: hooks.state } : {}) },
        result.changed ? `Added ${role} to ${group} (${shortSha(result.sha)})` : `${role} is already in ${group}: nothing to change`,
      );
    });

  cli
    .command('member remove <group> <pathOrRole>', 'Remove a member from a group, by role or path')
    .action(async (group: string, pathOrRole: string) => {
      const target = String(pathOrRole);
      const { removeMember } = await editing();
      const result = await applyEdit(ctx, `member remove ${group} ${target}`, (text) => removeMember(text, group, target, ctx.pathContext()), group);
      ctx.out({ group, removed: target, commit: result.sha }, `Removed ${target} from ${group} (${shortSha(result.sha)})`);
    });
}
