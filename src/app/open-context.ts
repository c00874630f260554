// Opening the coordination repo and building the context, and nothing more: no topology
// service (its YAML and schema imports are the costliest a short-lived process can pay), no
// watchers, no timers, no printing. Hook processes use this directly with a lazy topology;
// everything else uses openApp (open.ts).
import { statSync } from 'node:fs';
import { resolveHome, type HomePaths } from '../config/home.js';
import { UserError } from './errors.js';
import { IndexCache, openGitStore, type CoordinationStore } from '../store/index.js';
import { checkpointFile, loadRest, saveCheckpoint as writeCheckpoint, startFromCheckpoint, type RestWanted } from './checkpoint.js';
import { createContext, type AppContext, type Environment, type TopologySource } from './context.js';
import { processEnvironment, withDiagnostics } from './environment.js';
import { processAlive } from '../config/processes.js';
import { UnrepliedPages } from './unreplied.js';
import { PeerClocks } from './peer-clocks.js';
import { loadSettings } from './settings.js';

export interface OpenOptions {
  env: NodeJS.ProcessEnv;
  /** Create the coordination repo when it is missing (default true). */
  create?: boolean;
  /** Run the store's background maintenance (default true). */
  maintenance?: boolean;
  /** The process's facts (default: this process's). */
  environment?: Environment;
  /**
   * A file where what this process read is cached for the next short-lived reader (hooks), keyed
   * by the ref tips (store/read-cache.ts); saved by `close()`. Default: none.
   */
  readCache?: string | null;
  /**
   * Start the fold from the checkpoint under the home (`'read'`), and also write it back when this
   * process read many new records (`true`; app/checkpoint.ts). Default: true, except with a read
   * cache (hooks). A long-lived server only reads it: writing serialises the whole fold, which
   * would hold its memory high for as long as it runs and delay the call that read the history.
   */
  checkpoint?: boolean | 'read';
  /**
   * Start from the checkpoint's lean state (app/checkpoint.ts) and fold in the rest only when an
   * operation needs it (`AppContext.completeState`). Default false (status asks for it itself).
   */
  lean?: boolean;
  /**
   * With `checkpoint: 'read'`: called once when this process has read CHECKPOINT_AFTER commits
   * more than the checkpoint holds (none yet, or an old one), so that a process which writes
   * checkpoints can be asked to (the server: `claude-orchestrator checkpoint` in the background).
   */
  onCheckpointDue?: () => void;
}

/** A process writes the checkpoint again once it has read this many commits since it started from one. */
export const CHECKPOINT_AFTER = 1_000;

export interface OpenedContext {
  paths: HomePaths;
  ctx: AppContext;
  /** Saves the read cache (if any) and releases the coordination repo (its reader process). */
  close(): void;
}

/**
 * Opens the coordination repo under the home the environment names (config/home.ts) and builds
 * the context, with the topology source `topology` makes from the opened store. Errors:
 * StoreError MISSING_REPO (with `create: false`), DAMAGED_REPO.
 */
export async function openContext(
  options: OpenOptions,
  topology: (deps: { paths: HomePaths; store: CoordinationStore; env: Environment }) => TopologySource,
): Promise<OpenedContext> {
  const paths = resolveHome(options.env);
  assertHomeIsFolder(paths.home, options.env);
  const store = await openGitStore(paths.repoGitDir, {
    ...(options.create !== undefined ? { create: options.create } : {}),
    ...(options.maintenance !== undefined ? { maintenance: options.maintenance } : {}),
  });
  const env = withDiagnostics(options.environment ?? processEnvironment(), options.env);
  const cache = options.readCache !== undefined ? IndexCache.open(options.readCache, store.location) : null;
  const ctx = createContext({
    paths,
    store: cache ? cache.wrap(store) : store,
    topology: topology({ paths, store, env }),
    settings: loadSettings(options.env),
    env,
    // The cold read already saw every retained record: take a session's deliveries from it
    // rather than reading its ref again.
    ...(cache ? { knownDeliveries: (sessionId: string) => cache.deliveredBy(sessionId) } : {}),
    unreplied: UnrepliedPages.under(paths.home, process.pid, processAlive, env.now),
    peerClocks: new PeerClocks(paths.home),
  });
  // CLAUDE_ORCHESTRATOR_CHECKPOINT=off: start from nothing every time (a diagnosis switch).
  const useCheckpoint = (options.checkpoint ?? !cache) !== false && options.env.CLAUDE_ORCHESTRATOR_CHECKPOINT !== 'off';
  let saveCheckpoint = () => {};
  if (useCheckpoint) {
    const file = checkpointFile(paths.home, store.location);
    let savedAt = 0;
    // A lean start: what it left out is in the rest file paired with this key.
    let lean: { key: string; maxClock: number } | null = null;
    let completing: Promise<void> | null = null;
    ctx.records.beforeFirstRefresh = (refresh) => {
      const restored = startFromCheckpoint(file, store.location, ctx.state, ctx.records, { lean: refresh.lean || options.lean === true });
      lean = restored && !restored.complete ? { key: restored.key, maxClock: restored.cursor.maxClock } : null;
    };
    /**
     * Folds in from the rest file what `wanted` asks for (all of it when absent); false when the
     * checkpoint was replaced since (another writer's: not this state's pair).
     */
    const restFromFile = (wanted?: RestWanted): boolean => {
      if (!lean) return true;
      const rest = loadRest(file, lean.key, wanted);
      if (!rest) return false;
      ctx.state.restoreRest(rest);
      if (!wanted) lean = null;
      return true;
    };
    /** Per group and role, the lowest registration clock whose updates were folded in from the rest. */
    const covered = new Map<string, number>();
    ctx.leanUpTo = () => lean?.maxClock ?? 0;
    ctx.completeState = (wanted) => {
      const since = wanted?.since;
      const coverKey = since && `${since.group}\u0000${since.role}`;
      if (!lean || (coverKey && (covered.get(coverKey) ?? Infinity) <= since.clock)) return Promise.resolve();
      const run = async () => {
        if (restFromFile(wanted)) {
          if (coverKey) covered.set(coverKey, Math.min(covered.get(coverKey) ?? Infinity, since.clock));
          return;
        }
        lean = null;
        await ctx.records.rereadAll();
      };
      // One at a time: a second caller waits for the first, then takes what it still lacks.
      const next = (completing ?? Promise.resolve()).then(run, run);
      completing = next.finally(() => {
        if (completing === next) completing = null;
      });
      return next;
    };
    const writes = options.checkpoint !== 'read';
    let due = options.onCheckpointDue;
    saveCheckpoint = () => {
      if (ctx.records.commitsRead - savedAt < CHECKPOINT_AFTER) return;
      if (!writes) {
        due?.();
        due = undefined;
        return;
      }
      // A lean state must never be written back as a checkpoint: complete it first, or skip.
      if (!restFromFile()) return;
      savedAt = ctx.records.commitsRead;
      const now = ctx.env.now();
      writeCheckpoint(file, store.location, ctx.state, ctx.records, now, now - ctx.settings.retentionMs);
    };
    ctx.records.onRefreshed = saveCheckpoint;
  }
  return {
    paths,
    ctx,
    close: () => {
      saveCheckpoint();
      cache?.save();
      store.close();
    },
  };
}

/** The home must be a folder (or not exist yet): a file there would fail later in git's words. Errors: UserError INVALID_SETTING. */
function assertHomeIsFolder(home: string, env: NodeJS.ProcessEnv): void {
  let isFolder = true;
  try {
    isFolder = statSync(home).isDirectory();
  } catch {
    return; // missing: made on first write
  }
  if (isFolder) return;
  const named = env.CLAUDE_ORCHESTRATOR_HOME ? 'CLAUDE_ORCHESTRATOR_HOME' : 'the orchestrator home';
  throw new UserError('INVALID_SETTING', `${named} is ${home}, which is a file, not a folder`,
    'point CLAUDE_ORCHESTRATOR_HOME at a folder (it is created when missing), or move that file away');
}
