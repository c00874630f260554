// The composition root: wires paths, store, topology and the orchestrator for one process.
import { stat } from 'node:fs/promises';
import { processEnvironment } from './environment.js';
import { resolveHome } from '../config/home.js';
import type { HomePaths } from '../config/home.js';
import type { Topology } from '../core/types.js';
import { openGitStore, type CoordinationStore } from '../store/index.js';
import { UserError } from './errors.js';
import { Orchestrator } from './orchestrator.js';
import type { TopologySource } from './orchestrator.js';
import { loadSettings } from './settings.js';
import { TopologyService } from './topology-service.js';
import { formatProblem } from '../topology/parse.js';
import { PokeWatcher } from '../watch/poke-watcher.js';
import { WorktreeWatcher } from '../watch/worktree-watcher.js';
import { startAutoSync } from './auto-sync.js';
import type { AutoSync } from './auto-sync.js';
import { describeError } from './errors.js';
import { ingestRepo } from './ingest.js';
import { clientProjectFromEnv, ensureProjectSession } from './project-session.js';

export interface OpenedApp {
  paths: HomePaths;
  store: CoordinationStore;
  orchestrator: Orchestrator;
  topology: TopologyService;
  /**
   * Starts background work: heartbeats, repo watching and sync for the sessions this process
   * owns; registers its client's session when the client says which it is (Claude Code's
   * CLAUDE_CODE_SESSION_ID and CLAUDE_PROJECT_DIR) and the project is a member repo.
   */
  start(): Promise<void>;
  /** The session registered for this process's client at start, if any. */
  clientSessionId(): string | undefined;
  /** Ends owned sessions and releases the store. */
  close(reason: string): Promise<void>;
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

/** One resource per repo, shared by the sessions of that repo; closed when the last one leaves. */
class PerRepo<T> {
  private readonly byRepo = new Map<string, { sessions: Set<string>; resource: T }>();
  private readonly repoOf = new Map<string, string>();

  /** Joins the repo's resource, creating it for the first session; returns its sessions. */
  join(sessionId: string, repo: string, create: (sessions: ReadonlySet<string>) => T | null): void {
    const existing = this.byRepo.get(repo);
    if (existing) {
      existing.sessions.add(sessionId);
      this.repoOf.set(sessionId, repo);
      return;
    }
    const sessions = new Set([sessionId]);
    const resource = create(sessions);
    if (resource === null) return;
    this.byRepo.set(repo, { sessions, resource });
    this.repoOf.set(sessionId, repo);
  }

  /** Leaves; returns the resource to close when this was its last session. */
  leave(sessionId: string): T | undefined {
    const repo = this.repoOf.get(sessionId);
    this.repoOf.delete(sessionId);
    const entry = repo === undefined ? undefined : this.byRepo.get(repo);
    if (!entry) return undefined;
    entry.sessions.delete(sessionId);
    if (entry.sessions.size > 0) return undefined;
    this.byRepo.delete(repo!);
    return entry.resource;
  }

  sessions(): string[] {
    return [...this.repoOf.keys()];
  }
}

/**
 * What a server does for each session it answers for: catch up on commits its hooks may have
 * missed, ingest the repo's new commits as its hook pokes, and watch its working tree.
 */
class SessionServices {
  private readonly watchers = new PerRepo<Promise<WorktreeWatcher | null>>();
  private readonly followers = new PerRepo<PokeWatcher>();

  constructor(
    private readonly paths: HomePaths,
    private readonly store: CoordinationStore,
    private readonly orchestrator: Orchestrator,
    private readonly topology: () => Promise<Topology>,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  serve(session: { sessionId: string; group: string; role: string; repoPath: string }): void {
    const log = (what: string) => (error: unknown) => console.error(`claude-orchestrator: ${what} ${session.repoPath}: ${describeError(error)}`);
    const ingest = () =>
      this.topology()
        .then((topology) => ingestRepo(this.paths, session.repoPath, { store: this.store, topology, env: this.env }))
        .then(() => undefined);
    ingest().catch(log('catching up on commits of'));
    // The hook then starts nothing: this process ingests on each poke.
    this.followers.join(session.sessionId, session.repoPath, () => {
      try {
        return PokeWatcher.start({ repo: session.repoPath, onPoke: ingest, onError: log('ingesting commits of') });
      } catch (error) {
        log('following commits of')(error);
        return null;
      }
    });
    if (this.env.CLAUDE_ORCHESTRATOR_WATCH === '0') return;
    this.watchers.join(session.sessionId, session.repoPath, (sessions) =>
      this.topology()
        .then((topology) =>
          WorktreeWatcher.start({
            repo: session.repoPath,
            overrides: topology.groups[session.group]?.members.find((m) => m.role === session.role)?.patterns ?? {},
            onChange: (snapshot) => {
              for (const id of sessions) this.orchestrator.reportWorkingTree(id, snapshot).catch(log('recording edits in'));
            },
            onError: log('watching'),
          }),
        )
        .catch((error) => {
          log('watching')(error);
          return null;
        }),
    );
  }

  async release(sessionId: string): Promise<void> {
    this.followers.leave(sessionId)?.close();
    await (await this.watchers.leave(sessionId))?.close();
  }

  async close(): Promise<void> {
    const ids = new Set([...this.watchers.sessions(), ...this.followers.sessions()]);
    await Promise.all([...ids].map((id) => this.release(id)));
  }
}

export async function openApp(options: { env: NodeJS.ProcessEnv; owner: 'server' | 'cli' | 'hook' }): Promise<OpenedApp> {
  const paths = resolveHome(options.env);
  const store = await openGitStore(paths.repoGitDir);
  const environment = processEnvironment();
  const settings = loadSettings(options.env);
  const topology = new TopologyService({ paths, store, now: environment.now, env: options.env });
  const cachedTopology = new CachedTopology(topology, paths.topologyFile);
  const orchestrator = new Orchestrator(store, cachedTopology, settings, environment);
  const client = options.owner === 'server' ? clientProjectFromEnv(options.env) : null;
  orchestrator.clientSession = client?.clientSession;
  let clientSessionId: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let autoSync: AutoSync | undefined;
  let services: SessionServices | undefined;

  return {
    paths,
    store,
    orchestrator,
    topology,
    async start() {
      services = new SessionServices(paths, store, orchestrator, () => cachedTopology.current(), options.env);
      autoSync = startAutoSync({ paths, store, topology, now: environment.now }, {
        env: options.env,
        onResult: (report) => {
          for (const failed of report.remotes.filter((r) => !r.ok)) console.error(`claude-orchestrator: sync with ${failed.remote} failed: ${failed.error}`);
        },
      });
      orchestrator.listeners = {
        written: () => autoSync?.notifyWrite(),
        owned: (session) => services?.serve(session),
        released: (sessionId) => void services?.release(sessionId),
      };
      orchestrator.notices = () => {
        const error = autoSync?.status().lastError;
        return error ? [`sharing with the remote is failing (${error}); records stay local until it works again: see claude-orchestrator status`] : [];
      };
      if (client) {
        const registered = await ensureProjectSession(orchestrator, await cachedTopology.current(), options.env, client).catch((error) => {
          console.error(`claude-orchestrator: could not register the session for ${client.projectDir}: ${describeError(error)}`);
          return null;
        });
        clientSessionId = registered?.sessionId;
      }
      timer = setInterval(() => {
        for (const id of orchestrator.ownedSessions) {
          orchestrator.keepAlive(id).catch((error) => console.error(`claude-orchestrator: heartbeat for ${id}: ${(error as Error).message}`));
        }
      }, settings.heartbeatMs);
      timer.unref();
    },
    clientSessionId: () => clientSessionId,
    async close(reason) {
      if (timer) clearInterval(timer);
      for (const id of [...orchestrator.ownedSessions]) {
        await orchestrator.unregisterSession({ sessionId: id }, reason).catch(() => undefined);
      }
      await services?.close();
      // One last push of what this process wrote (the session's end), when a remote is set.
      await autoSync?.syncNow();
      await autoSync?.stop();
      store.close();
    },
  };
}
