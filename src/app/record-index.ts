// An in-memory view of every record in the coordination repo, brought up to date by reading only
// the commits that are new since the last refresh (the previous tips are the cursor).
import type { OrchestratorRecord } from '../core/records.js';
import type { CoordinationStore, StoredCommit } from '../store/index.js';

export interface IndexedRecord {
  record: OrchestratorRecord;
  /** The commit that carries it. */
  sha: string;
}

export interface RefreshStats {
  refsChanged: number;
  commitsRead: number;
}

export type RecordListener = (entry: IndexedRecord) => void;

/** Above this many changed refs, one bulk `git log` beats reading commit by commit. */
const BULK_THRESHOLD = 8;

export class RecordIndex {
  private readonly tips = new Map<string, string>();
  private highestClock = 0;
  private refreshing: Promise<RefreshStats> | null = null;

  /** Problems met while reading (records of a newer version, foreign commits), for `status`. */
  readonly problems: string[] = [];

  constructor(
    private readonly store: CoordinationStore,
    private readonly onRecord: RecordListener,
    private readonly notBefore: () => number,
  ) {}

  get maxClock(): number {
    return this.highestClock;
  }

  /** Reads what is new; concurrent callers share one refresh. */
  refresh(): Promise<RefreshStats> {
    this.refreshing ??= this.readNew().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async readNew(): Promise<RefreshStats> {
    const refs = await this.store.listRefs();
    const changed = [...refs].filter(([ref, tip]) => this.tips.get(ref) !== tip);
    const stats: RefreshStats = { refsChanged: changed.length, commitsRead: 0 };
    if (changed.length === 0) return stats;
    const known = new Set(this.tips.values());
    const notBefore = this.notBefore();
    const take = (commit: StoredCommit) => {
      stats.commitsRead++;
      if (commit.record) this.add({ record: commit.record, sha: commit.sha });
      else this.noteProblem(commit);
    };
    if (changed.length > BULK_THRESHOLD || changed.some(([ref]) => !this.tips.has(ref))) {
      // Catching up (a cold start, a fetch): one git log over everything not reachable from what
      // we read, oldest first and applied as it streams, so memory stays flat.
      await this.store.log(changed.map(([, tip]) => tip), { exclude: [...known], notBefore, oldestFirst: true }, take);
    } else {
      for (const [ref, tip] of changed) {
        const previous = this.tips.get(ref);
        const commits = await this.store.walk(tip, { stopAt: (sha) => sha === previous || known.has(sha), notBefore });
        for (let i = commits.length - 1; i >= 0; i--) take(commits[i]!);
      }
    }
    for (const [ref, tip] of changed) this.tips.set(ref, tip);
    return stats;
  }

  private noteProblem(commit: StoredCommit): void {
    if (commit.problem && this.problems.length < 20) this.problems.push(`${commit.sha.slice(0, 12)}: ${commit.problem}`);
  }

  /** Records written by this process are known at once, without waiting for a refresh. */
  add(entry: IndexedRecord): void {
    // A record can arrive twice (a remote copy of a ref, or re-read after this process wrote it):
    // the state folds records so that a repeat changes nothing.
    if (entry.record.clock > this.highestClock) this.highestClock = entry.record.clock;
    this.onRecord(entry);
  }
}
