// The process-level facts the application layer is given: clock, host, pid and liveness checks.
import { hostname } from 'node:os';
import { processAlive } from '../config/processes.js';
import type { Environment } from './context.js';

/** This process's clock, host and liveness checks; `pid` is the process a session's liveness follows. */
export function processEnvironment(pid: number = process.pid): Environment {
  return { now: () => Date.now(), host: hostname(), pid, processGone: (other) => !processAlive(other) };
}

/**
 * `environment` with the failpoint `CLAUDE_ORCHESTRATOR_FAILPOINT` names, if any: reaching that
 * point kills this process at once (SIGKILL), as a crash would. For fault tests; unset in use.
 */
export function withFailpoint(environment: Environment, vars: NodeJS.ProcessEnv): Environment {
  const name = vars.CLAUDE_ORCHESTRATOR_FAILPOINT;
  if (!name) return environment;
  return { ...environment, failpoint: (point) => { if (point === name) process.kill(process.pid, 'SIGKILL'); } };
}
