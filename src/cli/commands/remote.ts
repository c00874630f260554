// remote add | remove | list: the coordination repo's git remotes (plain `git remote` works too).
import type { CAC } from 'cac';
import { CliError, type CliContext } from '../context.js';
// Loaded on use: `--help` and other commands need not pay for it.
const sync = () => import('../../app/sync.js');

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('remote add <name> <url>', 'Share coordination through a git remote (ssh, https or a path; a bare repo is enough)')
    .example((bin) => `  $ ${bin} remote add origin git@github.com:me/coordination.git`)
    .action(async (name: string, url: string) => {
      const store = await ctx.store();
      if ((await store.listRemotes()).some((r) => r.name === name)) {
        throw new CliError(`remote ${name} already exists`, `remove it first: ${ctx.bin} remote remove ${name}`);
      }
      await store.addRemote(name, url);
      ctx.out({ remote: name, url, added: true }, `Added remote ${name} (${url}); share with: ${ctx.bin} sync`);
    });

  cli.command('remote remove <name>', 'Stop sharing with a remote (its copies of the others\' records are dropped here)').action(async (name: string) => {
    const store = await ctx.store();
    const remotes = await store.listRemotes();
    if (!remotes.some((r) => r.name === name)) {
      throw new CliError(`no remote named ${name}`, remotes.length ? `remotes: ${remotes.map((r) => r.name).join(', ')}` : 'there are no remotes');
    }
    await store.removeRemote(name);
    (await sync()).forgetRemoteState(ctx.paths().home, name);
    ctx.out({ remote: name, removed: true }, `Removed remote ${name}`);
  });

  cli.command('remote list', 'List the remotes with their last sync').action(async () => {
    const store = await ctx.store();
    const { readRemoteState } = await sync();
    const remotes = (await store.listRemotes()).map((r) => {
      const state = readRemoteState(ctx.paths().home, r.name);
      return { name: r.name, url: r.url, lastSync: state?.last.at ?? null, ok: state ? state.last.ok : null, error: state?.last.error ?? null };
    });
    ctx.out({ remotes }, () => {
      if (remotes.length === 0) return `No remotes (add one with: ${ctx.bin} remote add <name> <url>)`;
      const width = Math.max(...remotes.map((r) => r.name.length));
      return remotes
        .map((r) => `${r.name.padEnd(width)}  ${r.url}  ${r.lastSync ? `last sync ${r.lastSync} ${r.ok ? 'ok' : `FAILED: ${r.error}`}` : 'never synced'}`)
        .join('\n');
    });
  });
}
