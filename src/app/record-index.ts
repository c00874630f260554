// An in-memory view of every record in the coordination repo, brought up to date by reading only
// the commits that are new since the last refresh (the previous tips are the cursor).
import type { OrchestratorRecord } from '../core/records.js';
import { authorityProblem } from '../core/record-schema.js';
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

/** Where a reader starts when it does not start from nothing: the tips a checkpoint was folded from. */
export interface ReadCursor {
  /** ref -> tip SHA, every record reachable from them (within retention) already folded. */
  tips: Map<string, string>;
  /** The highest Lamport clock among the folded records. */
  maxClock: number;
}

/** One line for `status`: the damaged ref, what is wrong, and how to repair it. */
function damagedRef(location: string, ref: string, what: string, missingObject: boolean): string {
  const remote = ref.startsWith('refs/remotes/');
  const repair = missingObject
    ? `git --git-dir='${location}' update-ref -d ${ref}`
    : `rm '${location}/${ref}'`;
  const after = remote ? 'the next sync fetches it again' : 'its session or machine writes it afresh; `sync` brings back a copy a remote has';
  return `damaged ref ${ref}: ${what}; its records are skipped. Repair: ${repair} (${after})`;
}

/** Above this many changed refs, one bulk `git log` beats reading commit by commit. */
const BULK_THRESHOLD = 8;

export class RecordIndex {
  private readonly tips = new Map<string, string>();
  /** The refs the last refresh listed (undefined before the first): which exist, as far as this index knows. */
  private listed: ReadonlyMap<string, string> | undefined;
  private highestClock = 0;
  private refreshing: Promise<RefreshStats> | null = null;
  /** Commits read since this index was created (or started from a cursor). */
  private commitsReadTotal = 0;
  /** Started from a checkpoint's cursor whose tips git may no longer have (pruned and collected). */
  private fromCursor = false;
  /** Called once, before the first refresh reads anything (e.g. to start from a checkpoint). */
  beforeFirstRefresh: ((options: { lean?: boolean }) => void) | undefined;
  /** Called after each refresh that read something (e.g. to write a checkpoint). */
  onRefreshed: ((stats: RefreshStats) => void) | undefined;

  private readonly readProblems: string[] = [];
  /** Refs that could not be read (empty or garbage file, missing object): ref -> what and how to repair. */
  private readonly damaged = new Map<string, string>();
  /** The unreadable tip of each damaged ref: not tried again until the ref moves. */
  private readonly badTips = new Map<string, string>();

  /**
   * Problems met while reading, for `status`: damaged refs first (each costs only itself: its
   * records are skipped, every other ref is read), then records this version cannot read.
   */
  get problems(): string[] {
    return [...[...this.damaged.values()], ...this.readProblems];
  }

  constructor(
    private readonly store: CoordinationStore,
    private readonly onRecord: RecordListener,
    private readonly notBefore: () => number,
  ) {}

  get maxClock(): number {
    return this.highestClock;
  }

  /** Commits read so far by this index. */
  get commitsRead(): number {
    return this.commitsReadTotal;
  }

  /**
   * Continues from a checkpoint: the state was already folded from `cursor.tips`, so the next
   * refresh reads only what is newer. Call before the first refresh.
   */
  startFrom(cursor: ReadCursor): void {
    for (const [ref, tip] of cursor.tips) this.tips.set(ref, tip);
    if (cursor.maxClock > this.highestClock) this.highestClock = cursor.maxClock;
    this.fromCursor = cursor.tips.size > 0;
  }

  /**
   * The tip of `ref` whose records the state holds, as of the last refresh: null when that refresh
   * did not list the ref (absent), undefined before the first refresh. What a compare-and-swap
   * append must expect when what it writes was decided from the state (`AppendOptions.expectedTip`).
   * Records this process appended since are folded but not counted here: refresh first.
   */
  tipOf(ref: string): string | null | undefined {
    if (!this.listed) return undefined;
    // A ref listed but not read (damaged) is written on as it stands, as without a compare-and-swap.
    return this.listed.has(ref) ? this.tips.get(ref) ?? this.listed.get(ref)! : null;
  }

  /** The tips read so far (what a checkpoint of the folded state is keyed by). */
  cursor(): ReadCursor {
    return { tips: new Map(this.tips), maxClock: this.highestClock };
  }

  /**
   * Reads what is new; concurrent callers share one refresh. `lean` (first refresh only): a
   * caller that needs sessions, sync points and what is still undelivered, but not every old
   * update (status), may start from the checkpoint's lean state (app/checkpoint.ts).
   */
  refresh(options: { lean?: boolean } = {}): Promise<RefreshStats> {
    const prepare = this.beforeFirstRefresh;
    this.beforeFirstRefresh = undefined;
    prepare?.(options);
    this.refreshing ??= this.readNewOrAll()
      .then((stats) => {
        this.commitsReadTotal += stats.commitsRead;
        if (stats.commitsRead > 0) this.onRefreshed?.(stats);
        return stats;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /**
   * Reads every retained record again, as a process without a checkpoint would (the fold
   * ignores what it already holds): for a process whose lean start cannot be completed from
   * the checkpoint, replaced meanwhile by another process's.
   */
  async rereadAll(): Promise<RefreshStats> {
    await this.refreshing?.catch(() => undefined);
    this.tips.clear();
    this.listed = undefined;
    return this.refresh();
  }

  private async readNewOrAll(): Promise<RefreshStats> {
    if (!this.fromCursor) return this.readNew();
    this.fromCursor = false;
    try {
      return await this.readNew();
    } catch {
      // A checkpoint's tip git no longer has (a pruned ref, collected since): read everything.
      // The fold is idempotent, so records the checkpoint already holds change nothing.
      this.tips.clear();
      this.listed = undefined;
      return this.readNew();
    }
  }

  private async readNew(): Promise<RefreshStats> {
    const refs = await this.store.listRefs();
    // The store hands out the same listing while no ref moved (1,000 session refs: not walked again).
    if (refs === this.listed && this.tips.size > 0) return { refsChanged: 0, commitsRead: 0 };
    const stats = await this.readListed(refs);
    // Only now: `tipOf` must never name a tip whose records are not folded yet.
    this.listed = refs;
    return stats;
  }

  private async readListed(refs: ReadonlyMap<string, string>): Promise<RefreshStats> {
    for (const ref of [...this.damaged.keys()]) {
      if (this.badTips.has(ref) && this.badTips.get(ref) === refs.get(ref)) continue;
      this.damaged.delete(ref);
      this.badTips.delete(ref);
    }
    for (const [ref, what] of this.store.damagedRefs()) this.damaged.set(ref, damagedRef(this.store.location, ref, what, false));
    const changed: [string, string][] = [];
    // Only the refs that may have moved since the last listing when the store can tell, else all.
    const candidates = (this.listed && this.tips.size > 0 ? this.store.changedRefs(this.listed, refs) : null) ?? refs.keys();
    for (const ref of candidates) {
      const tip = refs.get(ref);
      if (tip !== undefined && this.tips.get(ref) !== tip && this.badTips.get(ref) !== tip) changed.push([ref, tip]);
    }
    const stats: RefreshStats = { refsChanged: changed.length, commitsRead: 0 };
    if (changed.length === 0) return stats;
    const notBefore = this.notBefore();
    const refOfTip = new Map<string, string>();
    for (const [ref, tip] of changed) if (!refOfTip.has(tip)) refOfTip.set(tip, ref);
    const take = (commit: StoredCommit, ref = commit.source && refOfTip.get(commit.source)) => {
      stats.commitsRead++;
      // Authority by ref: a record speaks only for the session (or machine) whose ref carries it.
      const forged = commit.record && ref ? authorityProblem(ref, commit.record) : null;
      if (commit.record && !forged) this.add({ record: commit.record, sha: commit.sha });
      else this.noteProblem(forged ? { ...commit, problem: `not authorized: ${forged}` } : commit);
    };
    let bulk = changed.length > BULK_THRESHOLD || changed.some(([ref]) => !this.tips.has(ref));
    if (bulk) {
      // Catching up (a cold start, a fetch): one git log over everything not reachable from what
      // we read, oldest first and applied as it streams, so memory stays flat.
      try {
        await this.store.log(changed.map(([, tip]) => tip), { exclude: [...new Set(this.tips.values())], notBefore, oldestFirst: true }, take);
      } catch {
        bulk = false; // a damaged ref among them: read ref by ref, so it costs only itself
      }
    }
    if (!bulk) {
      // Built only if a walk passes its ref's previous tip without meeting it (rare: a rewrite).
      let known: Set<string> | undefined;
      const isKnown = (sha: string) => (known ??= new Set(this.tips.values())).has(sha);
      // Every changed ref walked at once: the reads of one step of all walks go to the object
      // reader together (one pipelined round trip), not one ref after another; a ref whose
      // history cannot be read costs only itself.
      const walks = await Promise.all(
        changed.map(async ([ref, tip]) => {
          const previous = this.tips.get(ref);
          try {
            return { ref, tip, commits: await this.store.walk(tip, { stopAt: (sha) => sha === previous || isKnown(sha), notBefore }), error: null };
          } catch (error) {
            return { ref, tip, commits: [], error: error as Error };
          }
        }),
      );
      for (const walked of walks) {
        if (walked.error) {
          this.badTips.set(walked.ref, walked.tip);
          this.damaged.set(walked.ref, damagedRef(this.store.location, walked.ref, `its history cannot be read (${walked.error.message.split(':')[0]})`, true));
          continue;
        }
        for (let i = walked.commits.length - 1; i >= 0; i--) take(walked.commits[i]!, walked.ref);
        this.tips.set(walked.ref, walked.tip);
      }
      return stats;
    }
    for (const [ref, tip] of changed) this.tips.set(ref, tip);
    return stats;
  }

  private noteProblem(commit: StoredCommit): void {
    if (commit.problem && this.readProblems.length < 20) this.readProblems.push(`${commit.sha.slice(0, 12)}: ${commit.problem}`);
  }

  /** Records written by this process are known at once, without waiting for a refresh. */
  add(entry: IndexedRecord): void {
    // A record can arrive twice (a remote copy of a ref, or re-read after this process wrote it):
    // the state folds records so that a repeat changes nothing.
    if (entry.record.clock > this.highestClock) this.highestClock = entry.record.clock;
    this.onRecord(entry);
  }
}
