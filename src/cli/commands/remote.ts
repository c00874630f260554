// remote add | remove | list: the coordination repo's git remotes (plain `git remote` works too);
// machine-id: the id this machine's records are shared under.
import type { CAC } from 'cac';
import type { CliContext } from '../context.js';
// Loaded on use: `--help` and other commands need not pay for it.
const remotes = () => import('../../app/operations/remotes.js');
const machine = () => import('../../app/operations/machine-id.js');

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('remote add <name> <url>', 'Share coordination through a git remote (ssh, https or a path; a bare repo is enough)')
    .example((bin) => `  $ ${bin} remote add origin git@github.com:me/coordination.git`)
    .action(async (name: string, url: string) => {
      const added = await (await remotes()).addRemote((await ctx.app()).ctx, { name, url });
      ctx.out(added, `Added remote ${name} (${added.url}); share with: ${ctx.bin} sync`);
    });

  cli.command('remote remove <name>', 'Stop sharing with a remote (its copies of the others\' records are dropped here)').action(async (name: string) => {
    const removed = await (await remotes()).removeRemote((await ctx.app()).ctx, { name });
    ctx.out(removed, `Removed remote ${name}`);
  });

  cli.command('remote list', 'List the remotes with their last sync').action(async () => {
    const listed = await (await remotes()).listRemotes((await ctx.app()).ctx);
    ctx.out(listed, () => {
      const list = listed.remotes;
      if (list.length === 0) return `No remotes (add one with: ${ctx.bin} remote add <name> <url>)`;
      const width = Math.max(...list.map((r) => r.name.length));
      return list
        .map((r) => `${r.name.padEnd(width)}  ${r.url}  ${r.lastSync ? `last sync ${r.lastSync} ${r.ok ? 'ok' : `FAILED: ${r.error}`}` : 'never synced'}`)
        .join('\n');
    });
  });

  cli
    .command('machine-id', "Show this machine's id, the name its change refs are shared under")
    .option('--renew', 'Make a new id (for a copied home or cloned VM) and move this machine\'s change refs to it')
    .action(async (options: { renew?: boolean }) => {
      const app = (await ctx.app()).ctx;
      if (options.renew) {
        const renewed = await (await machine()).renewMachineId(app);
        ctx.out(renewed, `machine id ${renewed.previous} -> ${renewed.id}; ${renewed.moved.length} change ref(s) moved. Share them with: ${ctx.bin} sync`);
        return;
      }
      const shown = (await machine()).showMachineId(app);
      if (shown.problem) ctx.exitCode = 1;
      ctx.out(shown, shown.problem ? `${shown.id}\nproblem: ${shown.problem}` : shown.id);
    });
}
