// What a server does for each session it answers for: catch up on commits its hooks may have
// missed, ingest the repo's new commits as its post-commit hook pokes (or, with no hook, as its
// HEAD reflogs grow), and watch its working
// tree. One watcher and one commit follower per repo, shared by that repo's sessions.
import type { Topology } from '../core/types.js';
import type { AppContext } from '../app/context.js';
import { describeError } from '../app/errors.js';
import { ingestRepo } from '../app/operations/ingest-commits.js';
import type { HomePaths } from '../config/home.js';
import { reportWorkingTree } from '../app/operations/report-working-tree.js';
import { hookInstalled } from '../app/commit-following.js';
import { HeadFollower } from './head-follower.js';
import { PokeWatcher } from './poke-watcher.js';
import { WorktreeWatcher } from './worktree-watcher.js';

/** One resource per repo, shared by the sessions of that repo; closed when the last one leaves. */
class PerRepo<T> {
  private readonly byRepo = new Map<string, { sessions: Set<string>; resource: T }>();
  private readonly repoOf = new Map<string, string>();

  /** Joins the repo's resource, creating it for the first session (null: nothing to share). */
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

export interface ServedReposOptions {
  paths: HomePaths;
  ctx: AppContext;
  env: NodeJS.ProcessEnv;
  /** Where failures go (a server: stderr); never thrown. */
  log: (message: string) => void;
}

/** The repos of the sessions a server answers for, each followed and watched while served. */
export class ServedRepos {
  private readonly watchers = new PerRepo<Promise<WorktreeWatcher | null>>();
  private readonly followers = new PerRepo<PokeWatcher | HeadFollower>();

  constructor(private readonly options: ServedReposOptions) {}

  private topology(): Promise<Topology> {
    return this.options.ctx.topology.current();
  }

  serve(session: { sessionId: string; group: string; role: string; repoPath: string }): void {
    const { ctx, paths, env } = this.options;
    const log = (what: string) => (error: unknown) => this.options.log(`${what} ${session.repoPath}: ${describeError(error)}`);
    const ingest = () =>
      this.topology()
        .then((topology) => ingestRepo(paths, session.repoPath, { store: ctx.store, topology, env }))
        .then(() => undefined);
    ingest().catch(log('catching up on commits of'));
    // With hooks installed, the hook then starts nothing: this process ingests on each poke.
    // Without, it follows the repo's HEAD reflogs itself, so commits are heard all the same.
    this.followers.join(session.sessionId, session.repoPath, () => {
      try {
        return (
          (hookInstalled(session.repoPath) ? PokeWatcher.start({ repo: session.repoPath, onPoke: ingest, onError: log('ingesting commits of') }) : null) ??
          HeadFollower.start({ repo: session.repoPath, onCommit: ingest, onError: log('ingesting commits of') })
        );
      } catch (error) {
        log('following commits of')(error);
        return null;
      }
    });
    if (env.CLAUDE_ORCHESTRATOR_WATCH === '0') return;
    this.watchers.join(session.sessionId, session.repoPath, (sessions) =>
      this.topology()
        .then((topology) =>
          WorktreeWatcher.start({
            repo: session.repoPath,
            overrides: topology.groups[session.group]?.members.find((m) => m.role === session.role)?.patterns ?? {},
            onChange: (snapshot) => {
              for (const id of sessions) reportWorkingTree(ctx, id, snapshot).catch(log('recording edits in'));
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
