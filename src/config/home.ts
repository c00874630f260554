// Where the orchestrator keeps its files. Resolved from the environment, never cached in a module.
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface HomePaths {
  /** Folder holding everything below. */
  home: string;
  /** The topology people edit by hand or through the CLI. */
  topologyFile: string;
  /** Git directory of the coordination repo (bare). */
  repoGitDir: string;
}

/** `CLAUDE_ORCHESTRATOR_HOME`, else `$XDG_CONFIG_HOME/claude-orchestrator`, else `~/.config/claude-orchestrator`. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): HomePaths {
  const home =
    env.CLAUDE_ORCHESTRATOR_HOME ||
    join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'claude-orchestrator');
  return { home, topologyFile: join(home, 'topology.yml'), repoGitDir: join(home, 'coordination.git') };
}

/** Expands a leading `~` the way a shell would. */
export function expandTilde(path: string, env: NodeJS.ProcessEnv = process.env): string {
  if (path === '~') return env.HOME || homedir();
  if (path.startsWith('~/')) return join(env.HOME || homedir(), path.slice(2));
  return path;
}
