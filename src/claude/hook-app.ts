// A lean composition root for hook processes: the store and the Orchestrator, nothing else.
// The topology (YAML and its schema, the costliest imports) loads only when a hook must register
// a session. Hook processes never end sessions: the session belongs to the client's server.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveHome } from '../config/home.js';
import type { Topology } from '../core/types.js';
import { UserError } from '../app/errors.js';
import { Orchestrator } from '../app/orchestrator.js';
import type { Environment, TopologySource } from '../app/orchestrator.js';
import { loadSettings } from '../app/settings.js';
import type { GroupState, SessionFacts } from '../app/state.js';
import { openGitStore } from '../store/index.js';
import { processEnvironment } from '../app/environment.js';
import { IndexCache } from './index-cache.js';

export interface HookApp {
  orchestrator: Orchestrator;
  topology: TopologySource;
  /** The topology when something already loaded it (it costs YAML and schema imports). */
  loadedTopology(): Promise<Topology | undefined>;
  /** Makes the app keep the session's delivered ids (pending updates need them), from what was read. */
  track(session: FoundSession): void;
  close(): void;
}

export interface FoundSession {
  group: GroupState;
  facts: SessionFacts;
  sessionId: string;
  role: string;
}

/**
 * Opens the coordination repo without creating it: when it does not exist the orchestrator is
 * not set up here, and the hook has nothing to say (null).
 */
export async function openHookApp(env: NodeJS.ProcessEnv): Promise<HookApp | null> {
  const paths = resolveHome(env);
  if (!existsSync(paths.repoGitDir)) return null;
  const store = await openGitStore(paths.repoGitDir, { create: false, maintenance: false });
  // The hook's own process exits at once; its parent (Claude Code, or the shell it started)
  // lives as long as the session, so a session this hook registers is not seen as gone.
  const environment: Environment = processEnvironment(process.ppid);
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
  };
  // What earlier hooks read is replayed from a cache; git is asked only for newer commits.
  const cacheFile = env.CLAUDE_ORCHESTRATOR_HOOK_CACHE === 'off' ? null : join(paths.home, 'cache', 'claude-hooks-index.json');
  const cache = IndexCache.open(cacheFile, store.location);
  const orchestrator = new Orchestrator(cache.wrap(store), topology, loadSettings(env), environment);
  return {
    orchestrator,
    topology,
    track(session) {
      // The app keeps delivered ids only for sessions it tracks; hand it what the reads found,
      // rather than reading the session's ref again.
      const group = session.group as unknown as { isTracked?: (id: string) => boolean; track?: (id: string, ids: Iterable<string>) => void };
      if (group.track && !group.isTracked?.(session.sessionId)) group.track(session.sessionId, cache.deliveredBy(session.sessionId));
    },
    loadedTopology: async () => (loaded ? loaded.catch(() => undefined) : undefined),
    close: () => {
      cache.save();
      store.close();
    },
  };
}

/**
 * The live session a client session registered, preferring the one whose repo holds the
 * project directory. Call after `orchestrator.index.refresh()`.
 */
export function findClientSession(orchestrator: Orchestrator, clientSession: string, projectDir: string): FoundSession | null {
  const live = orchestrator.state.sessionsOfClient(clientSession).filter((s) => !s.facts.ended);
  const inside = (root: string) => projectDir === root || projectDir.startsWith(root.endsWith('/') ? root : `${root}/`);
  const best = live.find((s) => inside(s.facts.registered.repoPath)) ?? live[0];
  if (!best) return null;
  return { group: best.group, facts: best.facts, sessionId: best.facts.registered.session, role: best.facts.registered.role };
}
