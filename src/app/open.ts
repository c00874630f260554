// The composition root: wires paths, store, topology and the orchestrator for one process.
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolveHome } from '../config/home.js';
import type { HomePaths } from '../config/home.js';
import type { Topology } from '../core/types.js';
import { Store } from '../store/store.js';
import { UserError } from './errors.js';
import { Orchestrator } from './orchestrator.js';
import type { Environment, TopologySource } from './orchestrator.js';
import { loadSettings } from './settings.js';
import { TopologyService } from './topology-service.js';
import { formatProblem } from '../topology/parse.js';

export interface OpenedApp {
  paths: HomePaths;
  store: Store;
  orchestrator: Orchestrator;
  topology: TopologyService;
  /** Starts background work: heartbeats for the sessions this process owns. */
  start(): Promise<void>;
  /** Ends owned sessions and releases the store. */
  close(reason: string): Promise<void>;
}

export function processEnvironment(): Environment {
  return {
    now: () => Date.now(),
    host: hostname(),
    pid: process.pid,
    processGone: (pid) => {
      try {
        process.kill(pid, 0);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ESRCH';
      }
    },
  };
}

/** Re-reads the topology only when its file changed (size or mtime), so tool calls stay cheap. */
class CachedTopology implements TopologySource {
  private cached: { key: string; topology: Topology } | null = null;
  constructor(private readonly service: TopologyService, private readonly file: string) {}

  async current(): Promise<Topology> {
    const key = await stat(this.file).then((s) => `${s.size}:${s.mtimeMs}:${s.ino}`, () => 'missing');
    if (this.cached?.key === key && key !== 'missing') return this.cached.topology;
    const loaded = await this.service.load();
    if (!loaded.topology) {
      throw new UserError('TOPOLOGY_INVALID', `the topology has errors:\n${loaded.errors.map(formatProblem).join('\n')}`,
        'Fix topology.yml (see claude-orchestrator validate)');
    }
    this.cached = { key, topology: loaded.topology };
    return loaded.topology;
  }
}

export async function openApp(options: { env: NodeJS.ProcessEnv; owner: 'server' | 'cli' | 'hook' }): Promise<OpenedApp> {
  const paths = resolveHome(options.env);
  const store = await Store.open(paths.repoGitDir);
  const environment = processEnvironment();
  const settings = loadSettings(options.env);
  const topology = new TopologyService({ paths, store, now: environment.now, env: options.env });
  const orchestrator = new Orchestrator(store, new CachedTopology(topology, paths.topologyFile), settings, environment);
  let timer: NodeJS.Timeout | undefined;

  return {
    paths,
    store,
    orchestrator,
    topology,
    async start() {
      timer = setInterval(() => {
        for (const id of orchestrator.ownedSessions) {
          orchestrator.keepAlive(id).catch((error) => console.error(`claude-orchestrator: heartbeat for ${id}: ${(error as Error).message}`));
        }
      }, settings.heartbeatMs);
      timer.unref();
    },
    async close(reason) {
      if (timer) clearInterval(timer);
      for (const id of [...orchestrator.ownedSessions]) {
        await orchestrator.unregisterSession({ sessionId: id }, reason).catch(() => undefined);
      }
      store.close();
    },
  };
}
