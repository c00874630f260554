// Follows a member repo's poke file (the post-commit hook appends to it on every commit), so a
// running server can ingest its own repo's commits at once instead of the hook starting node.
import { coalesce } from './coalesce.js';
import { watch, type FSWatcher } from 'node:fs';
import { commitFollowing } from '../app/operations/ingest-commits.js';

export interface PokeWatcherOptions {
  /** The repo's top folder. */
  repo: string;
  /** Called after pokes (coalesced); runs one at a time, once more if poked meanwhile. */
  onPoke: () => Promise<void>;
  onError?: (error: Error) => void;
}

export class PokeWatcher {
  private readonly ingest = coalesce(() => this.options.onPoke(), (error) => this.options.onError?.(error), () => this.closed);
  private closed = false;

  private constructor(
    private readonly options: PokeWatcherOptions,
    private readonly watcher: FSWatcher,
    private readonly releaseClaim: () => void,
  ) {}

  /** Null when the repo has no hooks installed: nothing would ever poke. */
  static start(options: PokeWatcherOptions): PokeWatcher | null {
    const following = commitFollowing(options.repo);
    if (!following) return null;
    // The folder, not the file: the ingester may start the file over.
    const watcher = watch(following.folder, (_event, name) => {
      if (name === following.pokeFile) self.poked();
    });
    const self: PokeWatcher = new PokeWatcher(options, watcher, following.claim());
    watcher.on('error', (error) => options.onError?.(error));
    return self;
  }

  close(): void {
    this.closed = true;
    this.watcher.close();
    this.releaseClaim();
  }

  private poked(): void {
    this.ingest();
  }
}
