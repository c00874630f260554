// setup claude-code | hook <event>
// Claude Code's installed hooks call dist/claude-hooks/hook-main.js directly (faster than the CLI);
// `hook` is the same thing through the CLI, for trying a hook by hand.
import type { CAC } from 'cac';
import { homedir } from 'node:os';
import { HOOK_EVENTS, isHookEvent } from '../../claude-hooks/hook-input.js';
import { SetupError, setupClaudeCode, type Scope, type SetupReport } from '../../claude-hooks/setup.js';
import { CliError, optionalString, type CliContext } from '../context.js';

function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (text += chunk));
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', () => resolve(text));
  });
}

function describe(report: SetupReport): string {
  const lines = report.files.map((f) => `${f.changed ? (report.uninstall ? 'removed' : 'updated') : 'unchanged'}: ${f.what} in ${f.path}`);
  lines.push(...report.notes);
  if (!report.uninstall) {
    lines.push(`Check with: claude mcp list (the ${report.scope === 'project' ? 'project server awaits approval the first time you run claude there' : 'server should show Connected'})`);
  }
  return lines.join('\n');
}

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('setup claude-code', 'Add the MCP server and the hooks to Claude Code (merged with what is there)')
    .option('--scope <scope>', 'user: ~/.claude.json and ~/.claude/settings.json; project: .mcp.json and .claude/settings.json here', { default: 'user' })
    .option('--uninstall', 'Remove our server and hooks, leaving everything else')
    .example((bin) => `  $ ${bin} setup claude-code --scope project`)
    .action(async (options: { scope?: unknown; uninstall?: boolean }) => {
      const scope = optionalString(options.scope) ?? 'user';
      if (scope !== 'user' && scope !== 'project') throw new CliError(`unknown scope "${scope}"`, 'use --scope user or --scope project');
      try {
        const report = setupClaudeCode({
          scope: scope as Scope,
          home: ctx.env.HOME || homedir(),
          projectDir: ctx.cwd,
          uninstall: options.uninstall === true,
        });
        ctx.out(report, () => describe(report));
      } catch (error) {
        if (error instanceof SetupError) throw new CliError(error.message, error.hint);
        throw error;
      }
    });

  cli
    .command('hook <event>', `Run a Claude Code hook: reads its JSON on stdin (${HOOK_EVENTS.join(', ')})`)
    .action(async (event: string) => {
      // An unknown event is a typing mistake of someone trying a hook by hand. (The installed
      // hooks call hook-main.js, which never fails.)
      if (!isHookEvent(event)) throw new CliError(`unknown hook event "${event}"`, `events: ${HOOK_EVENTS.join(', ')}`);
      const { runHook } = await import('../../claude-hooks/run-hook.js');
      const result = await runHook(event, await readStdin(), ctx.env);
      if (result.error && ctx.env.CLAUDE_ORCHESTRATOR_DEBUG === '1') ctx.note(`${ctx.bin} hook: ${result.error}`);
      if (result.output) ctx.out(JSON.parse(result.output), result.output);
    });
}
