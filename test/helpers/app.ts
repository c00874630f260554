// The application in-process over the in-memory store: the example topology (parsed, not read
// from a file), a fake clock the test moves, and one context per simulated process. Fast tests of
// operations; the end-to-end tests over real servers and git stay beside them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, type AppContext, type Environment, type TopologySource } from '../../src/app/context.js';
import { loadSettings } from '../../src/app/settings.js';
import { UnrepliedPages } from '../../src/app/unreplied.js';
import type { HomePaths } from '../../src/config/home.js';
import type { Topology } from '../../src/core/types.js';
import { MemoryStore, type CoordinationStore } from '../../src/store/index.js';
import { EXAMPLE_TOPOLOGY } from '../../src/topology/example.js';
import { parseTopology } from '../../src/topology/parse.js';
import { tempDir } from './tmp.js';

// The member repos are folders (register_session checks that a repo path exists); no git needed.
const ROOT = tempDir('orchestrator-app-');
export const REPOS = { auth: join(ROOT, 'auth-service'), gateway: join(ROOT, 'api-gateway'), frontend: join(ROOT, 'frontend') } as const;
for (const dir of Object.values(REPOS)) mkdirSync(dir, { recursive: true });

/** The README's example topology with its member paths in a temp folder. */
export function exampleTopology(): Topology {
  const parsed = parseTopology(EXAMPLE_TOPOLOGY, { expandPath: (p) => p.replace(/^~\/repos\//, `${ROOT}/`) });
  if (!parsed.topology) throw new Error(`example topology: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return parsed.topology;
}

export interface Clock {
  now: number;
  advance(ms: number): void;
}

export function clock(start = 1_800_000_000_000): Clock {
  return { now: start, advance(ms) { this.now += ms; } };
}

/**
 * A context as one process would have it: `pid` distinguishes simulated processes (all on one
 * host; `gone` lists the pids whose process has exited).
 */
export function appContext(
  store: CoordinationStore,
  options: { clock: Clock; pid?: number; gone?: Set<number>; topology?: Topology; unrepliedDir?: string } = { clock: clock() },
): AppContext {
  const topology = options.topology ?? exampleTopology();
  const source: TopologySource = {
    current: async () => topology,
    loaded: async () => topology,
    inspect: async () => ({ topology, problems: [] }),
  };
  const env: Environment = {
    now: () => options.clock.now,
    host: 'test-host',
    pid: options.pid ?? 1000,
    processGone: (pid) => options.gone?.has(pid) ?? false,
  };
  const paths: HomePaths = { home: '/nonexistent/home', topologyFile: '/nonexistent/home/topology.yml', repoGitDir: '/nonexistent/home/coordination.git' };
  // Notes of unreplied pages (app/unreplied.ts) in a folder the test names, for this simulated pid.
  const unreplied = options.unrepliedDir ? new UnrepliedPages(options.unrepliedDir, env.pid, (pid) => !env.processGone(pid), env.now) : undefined;
  return createContext({ paths, store, topology: source, settings: loadSettings({}), env, ...(unreplied ? { unreplied } : {}) });
}

export function memoryStore(): MemoryStore {
  return new MemoryStore();
}
