// dashboard [--port N] [--open]: a live, read-only web page on 127.0.0.1 until Ctrl-C.
import type { CAC } from 'cac';
import { hasCode } from '../../core/errors.js';
import { CliError, optionalString, type CliContext } from '../context.js';
// Loaded on use: the server library and the application load only for this command.
const dashboard = () => Promise.all([import('../../dashboard/data.js'), import('../../dashboard/server.js')]);

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('dashboard', 'A live, read-only web page of the topology, sessions, updates, sync points and remotes (127.0.0.1 only)')
    .option('--port <port>', 'Port to listen on (default: any free port)')
    .option('--open', 'Open the page in the browser')
    .action(async (options: { port?: unknown; open?: boolean }) => {
      const portText = optionalString(options.port);
      const port = portText === undefined ? 0 : Number(portText);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port wants a port number (0-65535), not ${portText}`);
      const [{ openDashboardData }, { startDashboard }] = await dashboard();
      const data = await openDashboardData(ctx.env).catch((error: unknown) => {
        if (hasCode(error, 'MISSING_REPO')) throw new CliError(`no coordination repo at ${ctx.paths().repoGitDir}`, `create it with ${ctx.bin} init, or point CLAUDE_ORCHESTRATOR_HOME at an existing one`);
        throw error;
      });
      ctx.onClose(() => data.close());
      const running = await startDashboard({ data, port }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') throw new CliError(`port ${port} is in use`, 'pick another with --port, or leave it out to take any free port');
        throw error;
      });
      ctx.onClose(() => running.close());
      // Fold the history now rather than on the first page load (seconds on a long history).
      data.overview().catch((error: unknown) => ctx.note(`${ctx.bin}: reading the coordination repo: ${(error as Error).message}`));
      ctx.out({ url: running.url, port: running.port }, `Dashboard (read-only): ${running.url}\nPress Ctrl-C to stop it.`);
      if (options.open) openBrowser(running.url, (message) => ctx.note(`${ctx.bin}: ${message}`));
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    });
}

/** Opens the URL with the platform's opener (the `open` package); failures are only reported (the URL is printed anyway). */
function openBrowser(url: string, note: (message: string) => void): void {
  import('open')
    .then(({ default: open }) => open(url))
    .then((child) => child.on('error', () => note('could not open a browser; open the URL above yourself')))
    .catch(() => note('could not open a browser; open the URL above yourself'));
}
