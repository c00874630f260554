#!/usr/bin/env node
// The command Claude Code's hooks run: `node dist/claude-hooks/hook-main.js <event>`. A dedicated entry,
// not the CLI, because it runs on every prompt: it imports only what the event needs. Whatever
// happens it prints nothing but a valid answer and exits 0, so it can never break a session.
import { isHookEvent } from './hook-input.js';

/** Past this the hook gives up silently (Claude Code would wait up to the configured timeout). */
const BUDGET_MS = Number(process.env.CLAUDE_ORCHESTRATOR_HOOK_BUDGET_MS) || 4000;
/**
 * Input read whole up to this many characters (1 Mi). A larger one (a PostToolUse of a large tool
 * result) is read to its end but only its first `HEAD_CHARS` are kept, and never parsed as JSON:
 * the fields a hook uses come first and are read from there (`parseHookInput`).
 */
const MAX_STDIN = 1 << 20;
const HEAD_CHARS = 64 * 1024;

function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    let text = '';
    let over = false;
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      if (over) return;
      text += chunk;
      if (text.length > MAX_STDIN) {
        over = true;
        text = text.slice(0, HEAD_CHARS);
      }
    });
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', () => resolve(text));
  });
}

function finish(output: string, error?: string): void {
  if (error && process.env.CLAUDE_ORCHESTRATOR_DEBUG === '1') process.stderr.write(`claude-orchestrator hook: ${error}\n`);
  if (process.env.CLAUDE_ORCHESTRATOR_HOOK_TIMING === '1') {
    const cpu = process.cpuUsage();
    process.stderr.write(`timing ${JSON.stringify({ ms: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
  }
  if (output) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`, () => process.exit(0));
  else process.exit(0);
}

async function main(): Promise<void> {
  const event = process.argv[2];
  if (!isHookEvent(event)) return finish('', `unknown hook event ${JSON.stringify(event)}`);
  const stdin = await readStdin();
  const { runHook } = await import('./run-hook.js');
  const result = await runHook(event, stdin, process.env);
  finish(result.output, result.error);
}

setTimeout(() => finish('', 'out of time'), BUDGET_MS).unref();
main().catch((error: unknown) => finish('', error instanceof Error ? error.message : String(error)));
