// Follows a member repo's commits without a git hook: the HEAD reflogs of its worktrees grow on
// every commit, so a change of their size or time means "ingest now". Watched (fs.watch on the
// logs folder) and polled as well (a watch can miss events on some file systems).
import { coalesce } from './coalesce.js';
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { reflogStamp, startFollowing } from '../app/commit-following.js';

export interface HeadFollowerOptions {
  /** The repo's top folder. */
  repo: string;
  /** Called after the reflogs moved (coalesced); runs one at a time, once more if they moved meanwhile. */
  onCommit: () => Promise<void>;
  onError?: (error: Error) => void;
  /** Poll period (default 1000 ms). */
  pollMs?: number;
}

export class HeadFollower {
  private readonly ingest = coalesce(() => this.options.onCommit(), (error) => this.options.onError?.(error), () => this.closed);
  private closed = false;
  private last: string;
  private readonly timer: NodeJS.Timeout;
  private readonly watcher: FSWatcher | null;

  private constructor(
    private readonly options: HeadFollowerOptions,
    private readonly commonDir: string,
  ) {
    this.last = reflogStamp(commonDir);
    this.timer = setInterval(() => this.look(), options.pollMs ?? 1000);
    this.timer.unref();
    let watcher: FSWatcher | null = null;
    try {
      watcher = watch(join(commonDir, 'logs'), () => this.look());
      watcher.on('error', () => undefined);
    } catch {
      watcher = null; // No logs folder yet: polling covers it.
    }
    this.watcher = watcher;
  }

  /** Null when the path is not a git repo. Ingestion of a repo that never had hooks starts now. */
  static start(options: HeadFollowerOptions, now = Date.now()): HeadFollower | null {
    const commonDir = startFollowing(options.repo, now);
    return commonDir ? new HeadFollower(options, commonDir) : null;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.watcher?.close();
  }

  private look(): void {
    if (this.closed) return;
    const stamp = reflogStamp(this.commonDir);
    if (stamp === this.last) return;
    this.last = stamp;
    this.ingest();
  }
}
