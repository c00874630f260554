// The real Claude Code CLI for tests: a pinned version from the npm registry, installed once into
// .cache/claude-code/<version> (gitignored) and reused; run in print mode against a scripted
// Messages API (./messages-api.ts) in an environment that owes nothing to the developer's.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/** The Claude Code version the tests pin (npm `@anthropic-ai/claude-code`). */
export const CLAUDE_CODE_VERSION = '2.1.332';
const CACHE = resolve('.cache', 'claude-code', CLAUDE_CODE_VERSION);
/** The `claude` binary inside the cache (present once installed). */
export const CLAUDE_BIN = join(CACHE, 'node_modules', '.bin', 'claude');
const run$ = promisify(execFile);

/** PATH with node's own directory first, so `node` in hook commands is this node. */
export function testPath(): string {
  return [resolve(process.execPath, '..'), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
}

/**
 * The environment every child of these tests starts from: PATH and the given HOME, nothing of
 * the developer's (no GIT_*, XDG_*, CLAUDE_*, ANTHROPIC_*; no global or system git config).
 */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: testPath(),
    HOME: home,
    LANG: 'C.UTF-8',
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    ...extra,
  };
}

function installedVersion(): string | null {
  if (!existsSync(CLAUDE_BIN)) return null;
  try {
    return execFileSync(CLAUDE_BIN, ['--version'], { encoding: 'utf8', timeout: 30_000, env: isolatedEnv(CACHE) }).trim();
  } catch {
    return null;
  }
}

let ensured: Promise<string | null> | undefined;

/**
 * Installs the pinned Claude Code once (about 10-30 s from the registry) and returns null when
 * it is ready, or the one-line reason it is not (then the caller skips and prints that line).
 * CLAUDE_CODE_TEST=skip returns a reason without trying.
 */
export function ensureClaudeCode(): Promise<string | null> {
  ensured ??= (async () => {
    if (process.env.CLAUDE_CODE_TEST === 'skip') return 'CLAUDE_CODE_TEST=skip';
    if (installedVersion()?.startsWith(CLAUDE_CODE_VERSION)) return null;
    rmSync(CACHE, { recursive: true, force: true });
    mkdirSync(CACHE, { recursive: true });
    const started = Date.now();
    try {
      await run$('npm', ['install', '--prefix', CACHE, `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`, '--no-audit', '--no-fund', '--no-save', '--loglevel=error'], {
        timeout: 300_000,
        env: { ...process.env, npm_config_update_notifier: 'false' },
      });
    } catch (error) {
      const detail = String((error as { stderr?: string }).stderr || (error as Error).message).trim().split('\n').filter(Boolean).slice(-1)[0];
      return `npm install @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} failed: ${detail}`;
    }
    const version = installedVersion();
    if (!version?.startsWith(CLAUDE_CODE_VERSION)) return `claude --version after npm install said ${JSON.stringify(version)}, not ${CLAUDE_CODE_VERSION}`;
    console.log(`  installed Claude Code ${CLAUDE_CODE_VERSION} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return null;
  })();
  return ensured;
}

/** Prints why a real-client test is skipped, in one line that says so. */
export function skipLine(test: string, reason: string): void {
  console.log(`  SKIP ${test}: ${reason}`);
}

/** One line of stream-json input: a user message. */
export function userLine(text: string): string {
  return JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text }] } });
}

export interface ClaudeRun {
  code: number | null;
  /** stdout parsed line by line (stream-json output events). */
  events: Array<Record<string, unknown> & { type: string; subtype?: string; session_id?: string }>;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface ClaudeRunOptions {
  cwd: string;
  /** The whole child environment (start from isolatedEnv). */
  env: Record<string, string>;
  /** The user messages to send, one stream-json line each; stdin closes after the last. */
  prompts: string[];
  /** More CLI arguments (e.g. ['--resume', id]). */
  args?: string[];
  timeoutMs?: number;
}

/**
 * Runs `claude -p --input-format stream-json --output-format stream-json --verbose` with our MCP
 * tools allowed and resolves when it exits (killed after timeoutMs). The prompts are sent one at
 * a time: the next after the `result` event that ends the previous turn (sent all at once, the
 * later ones would arrive as messages in the middle of the first turn); stdin closes after the
 * last turn's result.
 */
export function runClaude(options: ClaudeRunOptions): Promise<ClaudeRun> {
  const args = ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', '--allowedTools', 'mcp__claude-orchestrator', ...(options.args ?? [])];
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(CLAUDE_BIN, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const events: ClaudeRun['events'] = [];
    const queue = [...options.prompts];
    const sendNext = (): void => {
      const prompt = queue.shift();
      if (prompt === undefined) child.stdin.end();
      else child.stdin.write(`${prompt.startsWith('{') ? prompt : userLine(prompt)}\n`);
    };
    child.stdout.on('data', (c: Buffer) => {
      const text = c.toString();
      stdout += text;
      pending += text;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (!line) continue;
        let event: ClaudeRun['events'][number];
        try {
          event = JSON.parse(line);
        } catch {
          continue; // not an event line
        }
        events.push(event);
        if (event.type === 'result') sendNext();
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.on('error', () => undefined); // it exited early: reported by its exit code
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, events, stdout, stderr, ms: performance.now() - started });
    });
    sendNext();
  });
}

/** The session id Claude Code reports in its init event. */
export function sessionIdOf(run: ClaudeRun): string | undefined {
  return run.events.find((e) => e.type === 'system' && e.subtype === 'init')?.session_id;
}
