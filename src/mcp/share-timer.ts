// The MCP server's background share with the remotes (a timer, so it lives with the server's
// composition root): background sync for a long-running server: on an interval, and shortly after the process writes
// (debounced), only while a remote is configured. Never blocks or fails a tool call: results and
// the last error are kept for the tools and `status` to show, and a failing remote is retried on
// the next tick.
import { describeError } from '../app/errors.js';
// Types only: sharing (and the topology's YAML parser it brings) loads when there is a remote.
import type { RemoteSyncResult, SyncDeps, SyncReport } from '../app/share.js';
import type { TopologyService } from '../app/topology-service.js';

/** What a background share needs: the share's dependencies, with the topology service loaded on first use. */
export type AutoSyncDeps = Omit<SyncDeps, 'topology'> & { topology: () => Promise<TopologyService> };

export interface AutoSyncOptions {
  /** Between two syncs (default 30 s; `CLAUDE_ORCHESTRATOR_SYNC_INTERVAL_MS`; 0 turns auto-sync off). */
  intervalMs?: number;
  /** After a write, sync this much later, coalescing writes in between (default 2 s; `CLAUDE_ORCHESTRATOR_SYNC_DEBOUNCE_MS`). */
  debounceMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Called after every background sync (e.g. to log failures on stderr). */
  onResult?: (report: SyncReport) => void;
}

export interface AutoSyncStatus {
  enabled: boolean;
  running: boolean;
  /** ISO time of the last background sync, if any. */
  lastRunAt: string | null;
  /** Per remote, the last background result. */
  remotes: RemoteSyncResult[];
  /** A one-line summary of what failed last time, or null when everything went through. */
  lastError: string | null;
}

export interface AutoSync {
  /** Call after writing records: a sync follows within `debounceMs`. */
  notifyWrite(): void;
  /** Syncs now (joining a sync already under way); never throws. */
  syncNow(): Promise<SyncReport>;
  status(): AutoSyncStatus;
  /**
   * Stops the timers and waits for a sync under way, at most `waitMs` (default: as long as it
   * takes). A sync still running then is left to end with the process: its git commands die with
   * it (src/store/git/run.ts) and its locks are recovered by the next sync.
   */
  stop(waitMs?: number): Promise<void>;
}

function envNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function startAutoSync(app: AutoSyncDeps, options: AutoSyncOptions = {}): AutoSync {
  const env = options.env ?? process.env;
  const intervalMs = options.intervalMs ?? envNumber(env, 'CLAUDE_ORCHESTRATOR_SYNC_INTERVAL_MS') ?? 30_000;
  const debounceMs = options.debounceMs ?? envNumber(env, 'CLAUDE_ORCHESTRATOR_SYNC_DEBOUNCE_MS') ?? 2_000;
  const enabled = intervalMs > 0;
  let running: Promise<SyncReport> | null = null;
  let again = false;
  let stopped = false;
  let debounce: NodeJS.Timeout | undefined;
  let lastRunAt: string | null = null;
  let remotes: RemoteSyncResult[] = [];
  let lastError: string | null = null;

  const runOnce = async (): Promise<SyncReport> => {
    try {
      if ((await app.store.listRemotes()).length === 0) return { remotes: [] };
      const { syncRemotes } = await import('../app/share.js');
      const report = await syncRemotes({ ...app, topology: await app.topology() }, { interactive: false });
      remotes = report.remotes;
      const failed = report.remotes.filter((r) => !r.ok);
      lastError = failed.length ? failed.map((r) => `${r.remote}: ${r.error}`).join('; ') : null;
      return report;
    } catch (error) {
      lastError = describeError(error);
      return { remotes: [] };
    } finally {
      lastRunAt = new Date().toISOString();
    }
  };

  const syncNow = (): Promise<SyncReport> => {
    if (running) {
      again = true; // a write during a sync: one more sync afterwards picks it up
      return running;
    }
    running = runOnce().then((report) => {
      running = null;
      options.onResult?.(report);
      if (again && !stopped) {
        again = false;
        void syncNow();
      }
      return report;
    });
    return running;
  };

  const interval = enabled ? setInterval(() => void syncNow(), intervalMs) : undefined;
  interval?.unref();

  return {
    notifyWrite() {
      if (!enabled || stopped) return;
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(() => void syncNow(), debounceMs);
      debounce.unref();
    },
    syncNow,
    status: () => ({ enabled, running: running !== null, lastRunAt, remotes, lastError }),
    async stop(waitMs) {
      stopped = true;
      if (interval) clearInterval(interval);
      if (debounce) clearTimeout(debounce);
      if (running) await within(running.catch(() => undefined), waitMs);
    },
  };
}

/** `promise`, or undefined once `ms` have passed (no limit when `ms` is undefined). */
export function within<T>(promise: Promise<T>, ms: number | undefined): Promise<T | undefined> {
  if (ms === undefined) return promise;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
