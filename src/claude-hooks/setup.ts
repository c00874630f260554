// `setup claude-code`: adds the MCP server and the hooks to Claude Code's own files, the way
// `claude mcp add` and the /hooks menu would, merged with what is there. Idempotent; --uninstall
// removes only what is ours.
//   user scope:    ~/.claude.json (mcpServers)      ~/.claude/settings.json (hooks)
//   project scope: <project>/.mcp.json (mcpServers)  <project>/.claude/settings.json (hooks)
// Project scope writes files a team commits, so its commands hold no path of this machine: the
// package's bins found on each machine's PATH (claude-orchestrator-mcp, claude-orchestrator-hook).
// User scope writes this installation's absolute paths (nothing depends on PATH).
// The files keep their mode (~/.claude.json is 0600) and a symlinked file stays a symlink.
import { OrchestratorError } from '../core/errors.js';
import { chmodSync, existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../config/files.js';
import { packageRoot } from '../config/package-root.js';
import { delimiter, join } from 'node:path';
import { EVENT_NAMES, HOOK_EVENTS, type HookEvent } from './hook-input.js';
import { SERVER_NODE_FLAGS } from '../config/node-flags.js';

export const MCP_SERVER_NAME = 'claude-orchestrator';
export type Scope = 'user' | 'project';

/** Seconds Claude Code waits for each hook (the hook gives up by itself after 4 s). */
const HOOK_TIMEOUTS: Record<HookEvent, number> = { 'session-start': 10, 'user-prompt-submit': 5, 'post-tool-use': 5, stop: 5 };

export interface Runtime {
  /** The node binary. */
  node: string;
  /** dist/index.js: the MCP server. */
  server: string;
  /** dist/claude-hooks/hook-main.js: the hook entry. */
  hook: string;
  /** hooks/claude-hook: the shell launcher that answers "still nothing" without node. */
  launcher: string;
}

/** This installation's node and entry points (from src/claude-hooks or dist/claude-hooks alike). */
export function defaultRuntime(): Runtime {
  const root = packageRoot();
  return {
    node: process.execPath,
    server: join(root, 'dist', 'index.js'),
    hook: join(root, 'dist', 'claude-hooks', 'hook-main.js'),
    launcher: join(root, 'hooks', 'claude-hook'),
  };
}

type Json = Record<string, unknown>;

export interface McpServerEntry {
  type: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** The package's bins a portable (project-scope) entry runs, found on each machine's PATH. */
export const PORTABLE_SERVER = 'claude-orchestrator-mcp';
export const PORTABLE_HOOK = 'claude-orchestrator-hook';

/**
 * The entry `claude mcp add <name> -- <node> <server>` writes; `portable`: the package's server
 * bin by name (its `#!` line carries the node flags), for a `.mcp.json` every teammate uses.
 */
export function serverEntry(runtime: Runtime, portable = false): McpServerEntry {
  if (portable) return { type: 'stdio', command: PORTABLE_SERVER, args: [], env: {} };
  return { type: 'stdio', command: runtime.node, args: [...SERVER_NODE_FLAGS, runtime.server], env: {} };
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The hook's command line. This machine's: the launcher, node and the hook entry by absolute path.
 * `portable`: the launcher's bin by name, which finds node and the entry itself; on a machine
 * without the package the command says nothing and exits 0 (`command -v` is a shell builtin).
 */
export function hookCommand(runtime: Runtime, event: HookEvent, portable = false): string {
  if (portable) return `command -v ${PORTABLE_HOOK} >/dev/null && ${PORTABLE_HOOK} ${event} || true`;
  return `sh ${shellQuote(runtime.launcher)} ${shellQuote(runtime.node)} ${shellQuote(runtime.hook)} ${event}`;
}

/** Our handlers, wherever this package is installed: the hook entry followed by one of our events. */
const OURS = new RegExp(`(hook-main\\.js'?|claude-orchestrator hook|${PORTABLE_HOOK}) (${HOOK_EVENTS.join('|')})\\b`);
export function isOurHandler(handler: unknown): boolean {
  return isObject(handler) && handler.type === 'command' && typeof handler.command === 'string' && OURS.test(handler.command);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `mcpServers` with ours set (or removed when `entry` is null). Other servers are untouched. */
export function mergeMcpServers(config: Json, entry: McpServerEntry | null): { config: Json; changed: boolean } {
  const servers = isObject(config.mcpServers) ? { ...config.mcpServers } : {};
  const before = JSON.stringify(servers[MCP_SERVER_NAME] ?? null);
  if (entry) servers[MCP_SERVER_NAME] = entry;
  else delete servers[MCP_SERVER_NAME];
  const changed = before !== JSON.stringify(entry ?? null);
  const next = { ...config };
  if (Object.keys(servers).length > 0 || isObject(config.mcpServers)) next.mcpServers = servers;
  return { config: next, changed };
}

/**
 * Settings with our hook handlers (or without them when `runtime` is null). Handlers of other
 * tools stay where they are, in their matcher groups; ours are replaced in place when present
 * (a new path after an upgrade), else added as a matcher group of their own.
 */
export function mergeHooks(settings: Json, runtime: Runtime | null, portable = false): { settings: Json; changed: boolean } {
  const hooks: Json = isObject(settings.hooks) ? { ...settings.hooks } : {};
  const before = JSON.stringify(settings.hooks ?? null);
  for (const event of HOOK_EVENTS) {
    const name = EVENT_NAMES[event];
    const groups: unknown[] = Array.isArray(hooks[name]) ? [...(hooks[name] as unknown[])] : [];
    const wanted = runtime ? { type: 'command', command: hookCommand(runtime, event, portable), timeout: HOOK_TIMEOUTS[event] } : null;
    let placed = false;
    const kept: unknown[] = [];
    for (const group of groups) {
      if (!isObject(group) || !Array.isArray(group.hooks) || !group.hooks.some(isOurHandler)) {
        kept.push(group);
        continue;
      }
      const handlers: unknown[] = [];
      for (const handler of group.hooks) {
        if (!isOurHandler(handler)) handlers.push(handler);
        else if (wanted && !placed) {
          handlers.push(wanted);
          placed = true;
        }
      }
      if (handlers.length > 0) kept.push({ ...group, hooks: handlers });
    }
    if (wanted && !placed) kept.push(event === 'post-tool-use' ? { matcher: '*', hooks: [wanted] } : { hooks: [wanted] });
    if (kept.length > 0) hooks[name] = kept;
    else delete hooks[name];
  }
  const next = { ...settings };
  if (Object.keys(hooks).length > 0) next.hooks = hooks;
  else delete next.hooks;
  return { settings: next, changed: JSON.stringify(next.hooks ?? null) !== before };
}

export interface SetupOptions {
  scope: Scope;
  /** The user's home (where ~/.claude.json and ~/.claude/ are). */
  home: string;
  /** The project root, for project scope. */
  projectDir: string;
  uninstall?: boolean;
  runtime?: Runtime;
  /** PATH, to tell whether the portable commands resolve on this machine (default: process.env.PATH). */
  path?: string;
}

export interface FileChange {
  path: string;
  what: 'mcp server' | 'hooks';
  changed: boolean;
}

export interface SetupReport {
  scope: Scope;
  uninstall: boolean;
  files: FileChange[];
  runtime: Runtime;
  /** How the commands find the package: this machine's absolute paths (user) or the bins on each machine's PATH (project). */
  commands: 'machine-paths' | 'path';
  /** What the user should know (for the project scope: what teammates need). */
  notes: string[];
}

export class SetupError extends OrchestratorError {
  constructor(message: string, hint: string) {
    super('SETUP_FAILED', message, hint);
  }
}

function readJson(path: string): Json {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, 'utf8');
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SetupError(`${path} is not valid JSON (${(error as Error).message})`, 'fix or move the file, then run setup again; nothing was changed');
  }
  if (!isObject(value)) throw new SetupError(`${path} does not hold a JSON object`, 'fix or move the file, then run setup again; nothing was changed');
  return value;
}

/**
 * Temp file then rename: Claude Code, reading the file meanwhile, never sees half of it. A
 * symlink is written through (its target is replaced, the link stays), and the file keeps its
 * mode (~/.claude.json holds credentials-adjacent state and is 0600).
 */
function writeJson(path: string, value: Json): void {
  let target = path;
  let mode: number | undefined;
  if (existsSync(path)) {
    if (lstatSync(path).isSymbolicLink()) target = realpathSync(path);
    mode = statSync(target).mode & 0o7777;
  }
  writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`, mode !== undefined ? { mode } : {});
  if (mode !== undefined && (statSync(target).mode & 0o7777) !== mode) chmodSync(target, mode);
}

function onPath(command: string, path: string): boolean {
  return path.split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

export function setupPaths(options: Pick<SetupOptions, 'scope' | 'home' | 'projectDir'>): { mcp: string; settings: string } {
  return options.scope === 'user'
    ? { mcp: join(options.home, '.claude.json'), settings: join(options.home, '.claude', 'settings.json') }
    : { mcp: join(options.projectDir, '.mcp.json'), settings: join(options.projectDir, '.claude', 'settings.json') };
}

export function setupClaudeCode(options: SetupOptions): SetupReport {
  const runtime = options.runtime ?? defaultRuntime();
  const uninstall = options.uninstall === true;
  if (!uninstall) {
    for (const file of [runtime.server, runtime.hook]) {
      if (!existsSync(file)) throw new SetupError(`${file} is missing`, 'build the package first (npm run build)');
    }
  }
  const paths = setupPaths(options);
  // Read (and validate) both files before writing either.
  const mcpConfig = readJson(paths.mcp);
  const settings = readJson(paths.settings);
  const portable = options.scope === 'project';
  const mcp = mergeMcpServers(mcpConfig, uninstall ? null : serverEntry(runtime, portable));
  const hooks = mergeHooks(settings, uninstall ? null : runtime, portable);
  if (mcp.changed) writeJson(paths.mcp, mcp.config);
  if (hooks.changed) writeJson(paths.settings, hooks.settings);
  return {
    scope: options.scope,
    uninstall,
    runtime,
    commands: portable ? 'path' : 'machine-paths',
    notes: uninstall ? [] : setupNotes(portable, options.path ?? process.env.PATH ?? ''),
    files: [
      { path: paths.mcp, what: 'mcp server', changed: mcp.changed },
      { path: paths.settings, what: 'hooks', changed: hooks.changed },
    ],
  };
}

function setupNotes(portable: boolean, path: string): string[] {
  if (!portable) return ['The entries name this machine\'s node and this installation by absolute path; run setup again after moving the package.'];
  const notes = [
    `The entries hold no path of this machine: they run ${PORTABLE_SERVER} and ${PORTABLE_HOOK} from each machine's PATH, so .mcp.json and .claude/settings.json can be committed. Every teammate installs the package (it is not on npm: npm link in a clone, or npm install -g of a packed tarball; see the README's Install); where it is missing the hooks do nothing.`,
  ];
  const missing = [PORTABLE_SERVER, PORTABLE_HOOK].filter((c) => !onPath(c, path));
  if (missing.length > 0) notes.push(`Not on this machine's PATH: ${missing.join(', ')}. Install the package globally (npm link in its checkout, or npm install -g of a packed tarball).`);
  return notes;
}
