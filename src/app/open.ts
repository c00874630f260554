// Opening the application for one process: paths, the coordination repo, the topology service and
// the context every operation takes. Nothing here starts a watcher or a timer, or prints: each
// kind of process composes those in its own root (src/mcp/process.ts, the CLI, the hooks).
import { stat } from 'node:fs/promises';
import type { HomePaths } from '../config/home.js';
import type { Topology } from '../core/types.js';
import { formatProblem, TOPOLOGY_READ_BYTES } from '../topology/problem.js';
import { readFileHead } from '../config/files.js';
import type { CoordinationStore } from '../store/index.js';
import type { AppContext, TopologySource } from './context.js';
import { openContext, type OpenOptions } from './open-context.js';
import { UserError } from './errors.js';
import { cachedTopology, rememberTopology } from './topology-cache.js';
// Types only: the service brings the YAML parser and the schema library, loaded on first use.
import type { TopologyService } from './topology-service.js';

export type { OpenOptions } from './open-context.js';

export interface OpenedApp {
  paths: HomePaths;
  ctx: AppContext;
  /**
   * topology.yml and its history (edits, hand-edit recording), loaded on first use: its YAML
   * parser and schema library cost a short-lived reader (log, status) more than its own work.
   */
  topology(): Promise<TopologyService>;
  /** Saves the read cache (if any) and releases the coordination repo. */
  close(): void;
}

/**
 * Re-reads the topology only when its file changed (size, mtime, inode), so tool calls stay
 * cheap; a file unchanged since some process validated it is taken from the JSON cache
 * (app/topology-cache.ts, as the commit ingester does), without loading the YAML parser.
 */
class CachedTopology implements TopologySource {
  private cached: { key: string; topology: Topology } | null = null;
  constructor(
    private readonly service: () => Promise<TopologyService>,
    private readonly store: CoordinationStore,
    private readonly paths: HomePaths,
  ) {}

  async current(): Promise<Topology> {
    const key = await stat(this.paths.topologyFile).then((s) => `${s.size}:${s.mtimeMs}:${s.ino}`, () => 'missing');
    if (this.cached?.key === key && key !== 'missing') return this.cached.topology;
    // Its text was validated, and any hand edit in it recorded, by the load that wrote the cache.
    const known = key === 'missing' ? null : cachedTopology(this.paths);
    if (known) {
      this.cached = { key, topology: known };
      return known;
    }
    const loaded = await (await this.service()).load();
    if (!loaded.topology) {
      throw new UserError('TOPOLOGY_INVALID', `the topology has errors:\n${loaded.errors.map(formatProblem).join('\n')}`,
        'Fix topology.yml (see claude-orchestrator validate)');
    }
    if (loaded.source === 'file') rememberTopology(this.paths, loaded.text, loaded.topology);
    this.cached = { key, topology: loaded.topology };
    return loaded.topology;
  }

  async loaded(): Promise<Topology | undefined> {
    return this.cached?.topology;
  }

  async inspect(): Promise<{ topology: Topology | null; problems: string[] }> {
    return inspectTopology(await this.service(), this.store, this.paths.topologyFile);
  }
}

/** topology.yml as it is (or the repo's copy), validated, never recorded. */
export async function inspectTopology(service: TopologyService, store: CoordinationStore, file: string): Promise<{ topology: Topology | null; problems: string[] }> {
  let text: string | null = null;
  try {
    text = readFileHead(file, TOPOLOGY_READ_BYTES);
  } catch {
    text = (await store.readTopology().catch(() => null))?.text ?? null; // no file: the repo's copy
  }
  if (text === null) return { topology: null, problems: [] };
  const parsed = service.validate(text);
  return { topology: parsed.topology ?? null, problems: parsed.errors.map((e) => e.message) };
}

/**
 * Opens the coordination repo and builds the context with the topology service (topology.yml
 * and its history). Errors: those of openContext.
 */
export async function openApp(options: OpenOptions): Promise<OpenedApp> {
  let service: Promise<TopologyService> | undefined;
  let topology: () => Promise<TopologyService> = () => Promise.reject(new Error('internal: the topology service asked before the repo was opened'));
  const opened = await openContext(options, ({ paths, store, env }) => {
    topology = () => (service ??= import('./topology-service.js').then(({ TopologyService }) => new TopologyService({ paths, store, now: env.now, env: options.env })));
    return new CachedTopology(() => topology(), store, paths);
  });
  return { ...opened, topology };
}
