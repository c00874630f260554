// What every CLI command gets: lazy access to the application, and the only ways to print.
// Nothing is opened until a command asks for it, so `--help` and `config-path` stay instant.
import { OrchestratorError } from '../core/errors.js';
import { homedir } from 'node:os';
import { resolveHome, type HomePaths } from '../config/home.js';
// Types only: the store, YAML and schema modules load when a command first needs them.
import type { OpenedApp } from '../app/open.js';
import type { TopologyService } from '../app/topology-service.js';
import type { PathContext } from '../topology/edit.js';

/** A mistake the user can fix: rendered as one line, `claude-orchestrator: <message> (<hint>)`, exit 1. */
export class CliError extends OrchestratorError {
  constructor(message: string, hint?: string) {
    super('CLI_USAGE', message, hint);
  }
}

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The program name used in messages and hints. */
  readonly bin: string;
  /** Set from `--json` before a command's action runs. */
  json: boolean;
  /** Exit code once the command finishes (0 unless a command sets it). */
  exitCode: number;
  /** Where the orchestrator keeps its files (resolved from the environment). */
  paths(): HomePaths;
  /** `~` and the working directory, for turning user-typed paths into topology paths. */
  pathContext(): PathContext;
  /** The application over the coordination repo, opened (and created) on first use, closed by `close()`. */
  app(): Promise<OpenedApp>;
  topology(): Promise<TopologyService>;
  /** The result of a command: `value` as JSON with `--json`, else `text`. */
  out(value: unknown, text: string | (() => string)): void;
  /** A line on stderr (warnings, notices); never mixes into `--json` output. */
  note(message: string): void;
  /** Runs when the command is done, success or not (in reverse order of registration). */
  onClose(cleanup: () => void | Promise<void>): void;
  close(): Promise<void>;
}

export interface ContextOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  io?: CliIO;
  bin?: string;
}

export function createContext(options: ContextOptions = {}): CliContext {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const io: CliIO = options.io ?? {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  };
  let paths: HomePaths | undefined;
  let app: Promise<OpenedApp> | undefined;
  const cleanups: Array<() => void | Promise<void>> = [];

  const ctx: CliContext = {
    env,
    cwd,
    bin: options.bin ?? 'claude-orchestrator',
    json: false,
    exitCode: 0,
    paths() {
      paths ??= resolveHome(env);
      return paths;
    },
    pathContext() {
      return { homeDir: env.HOME || homedir(), cwd };
    },
    app() {
      if (!app) {
        app = import('../app/open.js').then(({ openApp }) => openApp({ env, create: true }));
        cleanups.push(async () => (await app!).close());
      }
      return app;
    },
    async topology() {
      return (await ctx.app()).topology();
    },
    out(value, text) {
      if (ctx.json) io.stdout(`${JSON.stringify(value, null, 2)}\n`);
      else {
        const rendered = typeof text === 'function' ? text() : text;
        if (rendered) io.stdout(rendered.endsWith('\n') ? rendered : `${rendered}\n`);
      }
    },
    note(message) {
      io.stderr(`${message}\n`);
    },
    onClose(cleanup) {
      cleanups.push(cleanup);
    },
    async close() {
      while (cleanups.length > 0) {
        const cleanup = cleanups.pop()!;
        try {
          await cleanup();
        } catch {
          // Closing must not hide the command's own result or error.
        }
      }
    },
  };
  return ctx;
}

/** Splits `a,b` (and repeated options) into a clean list. */
export function listOption(value: unknown): string[] {
  if (value === undefined || value === null || value === false) return [];
  const values = Array.isArray(value) ? value : [value];
  return values
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** A string option that must be present: `--role <role>`. */
export function requiredOption(value: unknown, usage: string, hint?: string): string {
  if (Array.isArray(value)) value = value[value.length - 1];
  if (value === undefined || value === true || value === false || value === null || String(value).trim() === '') {
    throw new CliError(`missing ${usage}`, hint);
  }
  return String(value);
}

export function optionalString(value: unknown): string | undefined {
  if (Array.isArray(value)) value = value[value.length - 1];
  if (value === undefined || value === null || value === true || value === false) return undefined;
  return String(value);
}
