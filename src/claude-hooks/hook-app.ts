// The composition root of a Claude Code hook process: the store (read through the hooks' index
// cache) and the application context, nothing else. The topology (YAML and its schema, the
// costliest imports) loads only when a hook must register a session. Hook processes never end
// sessions: the session belongs to the client's server.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveHome } from '../config/home.js';
import type { Topology } from '../core/types.js';
import { createContext, type AppContext, type TopologySource } from '../app/context.js';
import { processEnvironment } from '../app/environment.js';
import { UserError } from '../app/errors.js';
import { loadSettings } from '../app/settings.js';
import { openGitStore } from '../store/index.js';
import { IndexCache } from './index-cache.js';

export interface HookApp {
  ctx: AppContext;
  /** Saves the read cache and releases the repo. */
  close(): void;
}

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
  const paths = resolveHome(env);
  if (!existsSync(paths.repoGitDir)) return null;
  const store = await openGitStore(paths.repoGitDir, { create: false, maintenance: false });
  // The hook's own process exits at once; Claude Code lives as long as the session, so a session
  // this hook registers follows Claude Code's pid, not its own.
  const environment = processEnvironment(clientPid(env));
  let loaded: Promise<Topology> | undefined;
  const topology: TopologySource = {
    current() {
      loaded ??= (async () => {
        const { TopologyService } = await import('../app/topology-service.js');
        const service = new TopologyService({ paths, store, now: environment.now, env });
        const result = await service.load();
        if (!result.topology) throw new UserError('TOPOLOGY_INVALID', 'the topology has errors', 'Run claude-orchestrator validate');
        return result.topology;
      })();
      return loaded;
    },
    loaded: async () => (loaded ? loaded.catch(() => undefined) : undefined),
    async inspect() {
      const { TopologyService } = await import('../app/topology-service.js');
      const { inspectTopology } = await import('../app/open.js');
      return inspectTopology(new TopologyService({ paths, store, now: environment.now, env }), store, paths.topologyFile);
    },
  };
  // What earlier hooks read is replayed from a cache; git is asked only for newer commits.
  const cacheFile = env.CLAUDE_ORCHESTRATOR_HOOK_CACHE === 'off' ? null : join(paths.home, 'cache', 'claude-hooks-index.json');
  const cache = IndexCache.open(cacheFile, store.location);
  const ctx = createContext({
    paths,
    store: cache.wrap(store),
    topology,
    settings: loadSettings(env),
    env: environment,
    // The cold read already saw every retained record: take the session's deliveries from it
    // rather than reading its ref again.
    knownDeliveries: (sessionId) => cache.deliveredBy(sessionId),
  });
  return {
    ctx,
    close: () => {
      cache.save();
      store.close();
    },
  };
}
