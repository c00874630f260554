// The process-level facts the application layer is given: clock, host, pid and liveness checks.
import { hostname } from 'node:os';
import { processAlive } from '../config/processes.js';
import type { Environment } from './context.js';

/** This process's clock, host and liveness checks; `pid` is the process a session's liveness follows. */
export function processEnvironment(pid: number = process.pid): Environment {
  return { now: () => Date.now(), host: hostname(), pid, processGone: (other) => !processAlive(other) };
}

/**
 * `environment` with what two diagnosis switches ask, for fault and skew tests:
 * `CLAUDE_ORCHESTRATOR_FAILPOINT=<name>` kills this process at once (SIGKILL) on reaching that
 * point, as a crash would; `CLAUDE_ORCHESTRATOR_CLOCK_OFFSET_MS=<ms>` runs this process's wall
 * clock that far ahead (negative: behind), as on a machine whose clock is off. Unset in use.
 */
export function withDiagnostics(environment: Environment, vars: NodeJS.ProcessEnv): Environment {
  let env = environment;
  const offset = Number(vars.CLAUDE_ORCHESTRATOR_CLOCK_OFFSET_MS);
  if (Number.isFinite(offset) && offset !== 0) {
    const now = env.now;
    env = { ...env, now: () => now() + offset };
  }
  const name = vars.CLAUDE_ORCHESTRATOR_FAILPOINT;
  if (name) env = { ...env, failpoint: (point) => { if (point === name) process.kill(process.pid, 'SIGKILL'); } };
  return env;
}
