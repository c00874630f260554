// The composition root of a Claude Code hook process: the application context over the store
// read through the hooks' read cache, nothing else. The topology (YAML and its schema, the
// costliest imports) loads only when a hook must register a session. Hook processes never end
// sessions: the session belongs to the client's server.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveHome } from '../config/home.js';
import type { Topology } from '../core/types.js';
import { processEnvironment } from '../app/environment.js';
import { UserError } from '../app/errors.js';
import { openContext, type OpenedContext } from '../app/open-context.js';

/** A hook process's application: the context, and close() to save the read cache. */
export type HookApp = OpenedContext;

/**
 * Claude Code's pid: CLAUDE_ORCHESTRATOR_CLIENT_PID, which hooks/claude-hook sets (Claude Code
 * runs hooks through `/bin/sh -c`, so node's parent is a shell that exits with the hook), else
 * this process's parent.
 */
export function clientPid(env: NodeJS.ProcessEnv): number {
  const pid = Number(env.CLAUDE_ORCHESTRATOR_CLIENT_PID);
  return Number.isSafeInteger(pid) && pid > 1 ? pid : process.ppid;
}

/**
 * Opens the coordination repo without creating it: when it does not exist the orchestrator is
 * not set up here, and the hook has nothing to say (null).
 */
export async function openHookApp(env: NodeJS.ProcessEnv): Promise<HookApp | null> {
  if (!existsSync(resolveHome(env).repoGitDir)) return null;
  // What earlier hooks read is replayed from a cache; git is asked only for newer commits.
  const readCache = env.CLAUDE_ORCHESTRATOR_HOOK_CACHE === 'off' ? null : join(resolveHome(env).home, 'cache', 'claude-hooks-index.json');
  // The hook's own process exits at once; Claude Code lives as long as the session, so a session
  // this hook registers follows Claude Code's pid, not its own.
  const environment = processEnvironment(clientPid(env));
  return openContext({ env, create: false, maintenance: false, environment, readCache }, ({ paths, store }) => {
    let loaded: Promise<Topology> | undefined;
    const service = async () => {
      const { TopologyService } = await import('../app/topology-service.js');
      return new TopologyService({ paths, store, now: environment.now, env });
    };
    return {
      current() {
        loaded ??= (async () => {
          const result = await (await service()).load();
          if (!result.topology) throw new UserError('TOPOLOGY_INVALID', 'the topology has errors', 'Run claude-orchestrator validate');
          return result.topology;
        })();
        return loaded;
      },
      loaded: async () => (loaded ? loaded.catch(() => undefined) : undefined),
      async inspect() {
        const { inspectTopology } = await import('../app/open.js');
        return inspectTopology(await service(), store, paths.topologyFile);
      },
    };
  });
}
