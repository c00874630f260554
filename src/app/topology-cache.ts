// The validated topology, cached as JSON beside the file and keyed by the file's content hash:
// short-lived processes (the commit ingester, client hooks) read it without loading the YAML
// parser and the schema library, which cost more than the rest of their work.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { readFileHead, writeFileAtomic } from '../config/files.js';
import { TOPOLOGY_READ_BYTES } from '../topology/problem.js';
import { join } from 'node:path';
import type { HomePaths } from '../config/home.js';
import type { Topology } from '../core/types.js';
import type { CoordinationStore } from '../store/index.js';

interface CacheFile {
  /** sha256 of the topology file's text the cache was made from. */
  source: string;
  topology: Topology;
}

const cacheFile = (paths: HomePaths) => join(paths.home, 'cache', 'topology.json');

/** `~` in member paths expands to $HOME: a different home makes a different topology. */
function hashOf(text: string): string {
  return createHash('sha256').update(`${process.env.HOME ?? ''}\0${text}`).digest('hex');
}

/**
 * The validated topology from the cache when topology.yml is the text it was made from, else
 * null (no file, no cache, a torn one, or the file changed since). Never throws.
 */
export function cachedTopology(paths: HomePaths): Topology | null {
  try {
    const text = readFileHead(paths.topologyFile, TOPOLOGY_READ_BYTES);
    const cached = JSON.parse(readFileSync(cacheFile(paths), 'utf8')) as CacheFile;
    if (cached.source === hashOf(text)) return cached.topology;
  } catch {
    // No file, no cache, or a torn one.
  }
  return null;
}

/** The current valid topology: from the cache when the file is unchanged, else loaded in full (and cached). */
export async function loadTopologyCached(paths: HomePaths, store: CoordinationStore, env: NodeJS.ProcessEnv = process.env): Promise<Topology> {
  const cached = cachedTopology(paths);
  if (cached) return cached;
  const { TopologyService } = await import('./topology-service.js');
  const loaded = await new TopologyService({ paths, store, now: () => Date.now(), env }).load();
  if (!loaded.topology) throw new Error('the topology has errors; run `claude-orchestrator validate`');
  rememberTopology(paths, loaded.text, loaded.topology);
  return loaded.topology;
}

/** Writes the cache atomically; best effort (a read-only home just means no cache). */
export function rememberTopology(paths: HomePaths, text: string, topology: Topology): void {
  try {
    mkdirSync(join(paths.home, 'cache'), { recursive: true });
    const file = cacheFile(paths);
    writeFileAtomic(file, JSON.stringify({ source: hashOf(text), topology } satisfies CacheFile));
  } catch {
    // Next time loads in full again.
  }
}
