// An in-memory view of every record in the coordination repo, brought up to date by reading only
// the commits that are new since the last refresh (the previous tips are the cursor).
import type { OrchestratorRecord } from '../core/records.js';
import type { Store } from '../store/store.js';

export interface IndexedRecord {
  record: OrchestratorRecord;
  sha: string;
  ref: string;
}

export interface RefreshStats {
  refsChanged: number;
  commitsRead: number;
}

export type RecordListener = (entry: IndexedRecord) => void;

export class RecordIndex {
  private readonly tips = new Map<string, string>();
  private readonly seenCommits = new Set<string>();
  private readonly seenRecords = new Set<string>();
  private highestClock = 0;
  private refreshing: Promise<RefreshStats> | null = null;

  /** Problems met while reading (records of a newer version, foreign commits), for `status`. */
  readonly problems: string[] = [];

  constructor(
    private readonly store: Store,
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
    const stats: RefreshStats = { refsChanged: 0, commitsRead: 0 };
    const notBefore = this.notBefore();
    for (const [ref, tip] of refs) {
      if (this.tips.get(ref) === tip) continue;
      stats.refsChanged++;
      const commits = await this.store.walk(tip, { stopAt: (sha) => this.seenCommits.has(sha), notBefore });
      stats.commitsRead += commits.length;
      // Oldest first, so listeners see a session's registration before its heartbeats.
      for (let i = commits.length - 1; i >= 0; i--) {
        const commit = commits[i]!;
        this.seenCommits.add(commit.sha);
        if (commit.record) this.add({ record: commit.record, sha: commit.sha, ref });
        else if (commit.problem && this.problems.length < 20) this.problems.push(`${ref} ${commit.sha.slice(0, 12)}: ${commit.problem}`);
      }
      this.tips.set(ref, tip);
    }
    return stats;
  }

  /** Records written by this process are known at once, without waiting for a refresh. */
  add(entry: IndexedRecord): void {
    // The same record can arrive through several refs (a remote copy of our own ref, two machines
    // ingesting one commit): its id makes it count once.
    if (this.seenRecords.has(entry.record.id)) return;
    this.seenRecords.add(entry.record.id);
    this.seenCommits.add(entry.sha);
    if (entry.record.clock > this.highestClock) this.highestClock = entry.record.clock;
    this.onRecord(entry);
  }
}
