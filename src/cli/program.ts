// The CLI program: command modules register on one cac instance; parseArgs turns an argv array
// into what to do without running or printing anything; run does it and renders errors.
import { cac, type CAC } from 'cac';
import { OrchestratorError } from '../core/errors.js';
import { closest } from '../topology/problem.js';
import * as checkpointCommands from './commands/checkpoint.js';
import * as claudeCommands from './commands/claude.js';
import * as dashboardCommands from './commands/dashboard.js';
import * as groupCommands from './commands/group.js';
import * as hookCommands from './commands/hooks.js';
import * as logCommands from './commands/log.js';
import * as memberCommands from './commands/member.js';
import * as pruneCommands from './commands/prune.js';
import * as remoteCommands from './commands/remote.js';
import * as ruleCommands from './commands/rule.js';
import * as signingCommands from './commands/signing.js';
import * as statusCommands from './commands/status.js';
import * as syncCommands from './commands/sync.js';
import * as utilityCommands from './commands/utilities.js';
import { CliError, type CliContext } from './context.js';

export const VERSION = '0.1.0';

/** A command module: `src/cli/commands/<area>.ts`. Add new ones to COMMAND_MODULES. */
export interface CommandModule {
  register(cli: CAC, ctx: CliContext): void;
}

export const COMMAND_MODULES: CommandModule[] = [
  groupCommands,
  memberCommands,
  ruleCommands,
  utilityCommands,
  statusCommands,
  logCommands,
  remoteCommands,
  syncCommands,
  signingCommands,
  pruneCommands,
  checkpointCommands,
  claudeCommands,
  hookCommands,
  dashboardCommands,
];

export function createProgram(ctx: CliContext, modules: readonly CommandModule[] = COMMAND_MODULES): CAC {
  const cli = cac(ctx.bin);
  // Declared by hand rather than with cli.help()/cli.version(), which print while parsing.
  cli.option('--json', 'Print the result as JSON');
  cli.option('-h, --help', 'Display this message');
  cli.option('-v, --version', 'Display version number');
  cli.globalCommand.versionNumber = VERSION;
  for (const module of modules) module.register(cli, ctx);
  return cli;
}

export type ParsedArgs =
  | { kind: 'run'; command: string; args: string[]; options: Record<string, unknown> }
  | { kind: 'help'; command?: string }
  | { kind: 'version' }
  | { kind: 'error'; message: string; hint?: string };

/**
 * What `argv` (without `node` and the script) asks for. Two-word commands (`group create`) are
 * matched as one. Pure apart from cac's own parse state on `cli`.
 */
export function parseArgs(cli: CAC, argv: readonly string[]): ParsedArgs {
  const names = cli.commands.map((c) => c.name).filter((n) => n !== '');
  const joined = joinSubcommand(argv, names);
  const { args, options } = cli.parse(['node', cli.name, ...joined], { run: false });
  const command = cli.matchedCommand;
  const bin = cli.name;

  if (options.help) return command ? { kind: 'help', command: command.name } : { kind: 'help' };
  if (options.version && !command) return { kind: 'version' };
  if (!command) {
    const first = args[0];
    if (first === undefined) return { kind: 'help' };
    const word = String(first);
    const subcommands = names.filter((n) => n.startsWith(`${word} `)).map((n) => n.slice(word.length + 1));
    if (subcommands.length > 0) {
      const given = args[1] === undefined ? null : String(args[1]);
      return {
        kind: 'error',
        message: given ? `unknown command "${word} ${given}"` : `"${word}" needs a subcommand`,
        hint: `${closestHint(given ?? '', subcommands, `${word} `)}${word} subcommands: ${subcommands.join(', ')}`,
      };
    }
    const words = [...new Set(names.map((n) => n.split(' ')[0]!))];
    return {
      kind: 'error',
      message: `unknown command "${word}"`,
      hint: `${closestHint(word, words, '')}run ${bin} --help for the list of commands`,
    };
  }
  try {
    command.checkUnknownOptions();
    command.checkOptionValue();
    command.checkRequiredArgs();
    command.checkUnusedArgs();
  } catch (error) {
    if ((error as Error).name !== 'CACError') throw error;
    return { kind: 'error', message: asTyped(cacMessage((error as Error).message), argv), hint: `see ${bin} ${command.name} --help` };
  }
  const { '--': _rest, ...rest } = options as Record<string, unknown>;
  return { kind: 'run', command: command.name, args: args.map(String), options: rest };
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function run(argv: readonly string[], ctx: CliContext, modules?: readonly CommandModule[]): Promise<number> {
  const cli = createProgram(ctx, modules);
  try {
    const parsed = parseArgs(cli, argv);
    switch (parsed.kind) {
      case 'help':
        prepareHelp(cli, parsed.command);
        cli.outputHelp();
        return 0;
      case 'version':
        ctx.out({ version: VERSION }, `${cli.name} ${VERSION}`);
        return 0;
      case 'error':
        throw new CliError(parsed.message, parsed.hint);
      case 'run':
        ctx.json = parsed.options.json === true;
        await cli.runMatchedCommand();
        return ctx.exitCode;
    }
  } catch (error) {
    return reportError(error, ctx);
  } finally {
    await ctx.close();
  }
}

/** One line on stderr (two or more only when the error itself is a list of problems). */
export function reportError(error: unknown, ctx: CliContext): number {
  const debug = ctx.env.CLAUDE_ORCHESTRATOR_DEBUG === '1';
  const known = describeKnownError(error);
  if (known) {
    const text = `${ctx.bin}: ${known.message}${known.hint ? ` (${known.hint})` : ''}`;
    if (ctx.json) ctx.out({ error: { code: known.code, message: known.message, hint: known.hint ?? null } }, '');
    ctx.note(debug && error instanceof Error && error.stack ? `${text}\n${error.stack}` : text);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (ctx.json) ctx.out({ error: { code: 'INTERNAL', message, hint: null } }, '');
  ctx.note(
    debug && error instanceof Error && error.stack
      ? `${ctx.bin}: unexpected error: ${error.stack}`
      : `${ctx.bin}: unexpected error: ${message} (set CLAUDE_ORCHESTRATOR_DEBUG=1 to see where it happened)`,
  );
  return 2;
}

/** Every error of ours extends OrchestratorError (src/core/errors.ts): one shape, rendered one way. */
function describeKnownError(error: unknown): { code: string; message: string; hint?: string } | null {
  if (!(error instanceof OrchestratorError)) return null;
  return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
}

function joinSubcommand(argv: readonly string[], names: readonly string[]): string[] {
  const out = [...argv];
  const i = out.findIndex((a) => !a.startsWith('-'));
  const next = out[i + 1];
  if (i >= 0 && next !== undefined && names.includes(`${out[i]} ${next}`)) out.splice(i, 2, `${out[i]} ${next}`);
  return out;
}

function closestHint(word: string, candidates: readonly string[], prefix: string): string {
  const close = word ? closest(word, candidates) : null;
  return close ? `did you mean "${prefix}${close}"? ` : '';
}

function cacMessage(message: string): string {
  return message.replace(/`/g, '').replace(/^Unknown option/, 'unknown option').replace(/^Unused args: /, 'unexpected arguments: ');
}

/**
 * A command's help page starts with its one-line description, and a `--no-x` option does not
 * show cac's implied "(default: true)".
 */
function prepareHelp(cli: CAC, commandName: string | undefined): void {
  const command = commandName === undefined ? undefined : cli.commands.find((c) => c.name === commandName);
  for (const option of command?.options ?? []) if (option.negated) delete option.config.default;
  if (!command?.description) return;
  cli.globalCommand.helpCallback = (sections) => {
    const out = [...sections];
    out.splice(1, 0, { body: `  ${command.description}` });
    return out;
  };
}

/** cac reports options camel-cased (`--bogusFlag`): name them as the user typed them. */
function asTyped(message: string, argv: readonly string[]): string {
  return message.replace(/^unknown option (-{1,2})(\S+)/, (whole, dashes: string, name: string) => {
    const typed = argv.map((a) => a.split('=')[0]!).find((a) => a.startsWith(dashes) && camel(a.slice(dashes.length)) === name);
    return typed ? `unknown option ${typed}` : whole;
  });
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
