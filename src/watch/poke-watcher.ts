// Follows a member repo's poke file (the post-commit hook appends to it on every commit), so a
// running server can ingest its own repo's commits at once instead of the hook starting node.
import { watch, type FSWatcher } from 'node:fs';
import { claimIngestion, findGitDirs, POKE_FILE, readInstalled, stateDirOf } from '../store/index.js';

export interface PokeWatcherOptions {
  /** The repo's top folder. */
  repo: string;
  /** Called after pokes (coalesced); runs one at a time, once more if poked meanwhile. */
  onPoke: () => Promise<void>;
  onError?: (error: Error) => void;
}

export class PokeWatcher {
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;

  private constructor(
    private readonly options: PokeWatcherOptions,
    private readonly watcher: FSWatcher,
    private readonly releaseClaim: () => void,
  ) {}

  /** Null when the repo has no hooks installed: nothing would ever poke. */
  static start(options: PokeWatcherOptions): PokeWatcher | null {
    const commonDir = findGitDirs(options.repo)?.commonDir;
    if (!commonDir || readInstalled(commonDir) === null) return null;
    // The folder, not the file: the ingester may start the file over.
    const watcher = watch(stateDirOf(commonDir), (_event, name) => {
      if (name === POKE_FILE) self.poked();
    });
    const self: PokeWatcher = new PokeWatcher(options, watcher, claimIngestion(commonDir));
    watcher.on('error', (error) => options.onError?.(error));
    return self;
  }

  close(): void {
    this.closed = true;
    this.watcher.close();
    this.releaseClaim();
  }

  private poked(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.options.onPoke().catch((error: Error) => this.options.onError?.(error));
      } while (this.again && !this.closed);
    })().finally(() => {
      this.running = null;
    });
  }
}
