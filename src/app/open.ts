// Opening the application for one process: paths, the coordination repo, the topology and the
// context every operation takes. Nothing here starts a watcher or a timer, or prints: each
// kind of process composes those in its own root (src/mcp/process.ts, the CLI, the hooks).
import { readFile, stat } from 'node:fs/promises';
import { resolveHome } from '../config/home.js';
import type { HomePaths } from '../config/home.js';
import type { Topology } from '../core/types.js';
import { formatProblem } from '../topology/problem.js';
import { openGitStore, type CoordinationStore } from '../store/index.js';
import { createContext, type AppContext, type Environment, type TopologySource } from './context.js';
import { processEnvironment } from './environment.js';
import { UserError } from './errors.js';
import { loadSettings } from './settings.js';
import { TopologyService } from './topology-service.js';

export interface OpenedApp {
  paths: HomePaths;
  ctx: AppContext;
  /** topology.yml and its history (edits, hand-edit recording). */
  topology: TopologyService;
  /** Releases the coordination repo (its reader process). */
  close(): void;
}

/** Re-reads the topology only when its file changed (size, mtime, inode), so tool calls stay cheap. */
class CachedTopology implements TopologySource {
  private cached: { key: string; topology: Topology } | null = null;
  constructor(
    private readonly service: TopologyService,
    private readonly store: CoordinationStore,
    private readonly file: string,
  ) {}

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

  async loaded(): Promise<Topology | undefined> {
    return this.cached?.topology;
  }

  async inspect(): Promise<{ topology: Topology | null; problems: string[] }> {
    return inspectTopology(this.service, this.store, this.file);
  }
}

/** topology.yml as it is (or the repo's copy), validated, never recorded. */
export async function inspectTopology(service: TopologyService, store: CoordinationStore, file: string): Promise<{ topology: Topology | null; problems: string[] }> {
  const text = (await readFile(file, 'utf8').catch(() => null)) ?? (await store.readTopology().catch(() => null))?.text ?? null;
  if (text === null) return { topology: null, problems: [] };
  const parsed = service.validate(text);
  return { topology: parsed.topology ?? null, problems: parsed.errors.map((e) => e.message) };
}

export interface OpenOptions {
  env: NodeJS.ProcessEnv;
  /** Create the coordination repo when it is missing (default true). */
  create?: boolean;
  /** Run the store's background maintenance (default true). */
  maintenance?: boolean;
  /** The process's facts (default: this process's). */
  environment?: Environment;
}

/**
 * Opens the coordination repo under the home the environment names (see config/home.ts) and
 * builds the context. Errors: StoreError MISSING_REPO (with `create: false`), DAMAGED_REPO.
 */
export async function openApp(options: OpenOptions): Promise<OpenedApp> {
  const paths = resolveHome(options.env);
  const store = await openGitStore(paths.repoGitDir, {
    ...(options.create !== undefined ? { create: options.create } : {}),
    ...(options.maintenance !== undefined ? { maintenance: options.maintenance } : {}),
  });
  const env = options.environment ?? processEnvironment();
  const topology = new TopologyService({ paths, store, now: env.now, env: options.env });
  const ctx = createContext({ paths, store, topology: new CachedTopology(topology, store, paths.topologyFile), settings: loadSettings(options.env), env });
  return { paths, ctx, topology, close: () => store.close() };
}
