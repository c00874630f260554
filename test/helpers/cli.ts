// Runs the claude-orchestrator CLI as a real process: the built entry, as installed (a bundle,
// scripts/bundle.js).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI_LAUNCHER = resolve('dist/cli/main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(env: Record<string, string>, args: string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI_LAUNCHER, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** The CLI's `--json` output, failing with its stderr when it exits non-zero (unless allowed). */
export async function cliJson<T = Record<string, unknown>>(env: Record<string, string>, args: string[], allowFailure = false): Promise<T> {
  const run = await cli(env, [...args, '--json']);
  if (run.code !== 0 && !allowFailure) throw new Error(`claude-orchestrator ${args.join(' ')} exited ${run.code}: ${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as T;
}

export function spawnCli(env: Record<string, string>, args: string[]): ChildProcess {
  return spawn(process.execPath, [CLI_LAUNCHER, ...args], { env: { ...process.env, ...env }, stdio: 'ignore' });
}
