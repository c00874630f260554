// A read cache for short-lived readers (Claude Code's hooks). Hooks are new processes on every
// prompt: without help each would read the whole retained
// history of the coordination repo (thousands of commits) to answer "anything new?". This keeps
// the commits a hook read in a cache file, keyed by the ref tips they were read at, so the next
// hook replays them and asks git only for what is newer. A cache, never a source of truth:
// anything odd (unreadable, a ref gone, git refusing a tip) and it is dropped and rebuilt.
//
// It wraps the store the application reads with: `listRefs` is noted, the first bulk
// `log` (the RecordIndex's cold start) gets the cached commits plus `git log` excluding the
// cached tips, and refs this process appends to are left out of the saved tips (their next read
// starts from scratch, so a commit written meanwhile by someone else is never skipped).
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../config/files.js';
import type { OrchestratorRecord } from '../core/records.js';
import type { CoordinationStore, StoredCommit } from './types.js';

const FORMAT = 1;
/** A cache older than this is rebuilt (bounds what a rewritten ref could leave behind). */
const MAX_AGE_MS = 6 * 3_600_000;

interface CachedCommit {
  sha: string;
  time: number;
  record: OrchestratorRecord;
}

interface CacheFile {
  format: number;
  /** The store's `location`: a cache of another store is never used. */
  location: string;
  createdAt: number;
  tips: Record<string, string>;
  commits: CachedCommit[];
}

type LogFn = CoordinationStore['log'];

/**
 * Kinds hooks never use (liveness and working-tree state), left out of the cache to keep it
 * small. A hook then knows a lower Lamport clock than the repo holds, which is still a clock it
 * has seen: its own records order after everything it read.
 */
const SKIPPED = new Set<OrchestratorRecord['kind']>(['session.heartbeat', 'worktree']);

export class IndexCache {
  private cached: CacheFile | null;
  private refsSeen: Map<string, string> | null = null;
  private readonly appended = new Set<string>();
  private commits = new Map<string, CachedCommit>();
  private usedLog = false;
  private dirty = false;
  /** Delivered ids per session, from every record read (the app keeps them only for sessions it tracks). */
  private readonly delivered = new Map<string, Set<string>>();

  private constructor(private readonly file: string | null, private readonly location: string, private readonly now: number) {
    this.cached = file ? load(file, location, now) : null;
  }

  /** `file` null: no cache file, only the bookkeeping. */
  static open(file: string | null, location: string, now = Date.now()): IndexCache {
    return new IndexCache(file, location, now);
  }

  /** Event ids the session recorded as delivered, in what this process read. */
  deliveredBy(sessionId: string): string[] {
    return [...(this.delivered.get(sessionId) ?? [])];
  }

  private note(record: OrchestratorRecord | undefined): void {
    if (record?.kind !== 'delivered') return;
    let ids = this.delivered.get(record.session);
    if (!ids) this.delivered.set(record.session, (ids = new Set()));
    for (const id of record.eventIds) ids.add(id);
  }

  /** The store as the application should see it: reads go through the cache. */
  wrap(store: CoordinationStore): CoordinationStore {
    const cache = this;
    return new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'listRefs') {
          return async (...args: Parameters<CoordinationStore['listRefs']>) => {
            const refs = await target.listRefs(...args);
            cache.refsSeen ??= new Map(refs);
            return refs;
          };
        }
        if (key === 'log') {
          return (include: string[], options: Parameters<LogFn>[1], onCommit: Parameters<LogFn>[2]) => cache.log(target, include, options, onCommit);
        }
        if (key === 'append') {
          return (ref: string, ...rest: unknown[]) => {
            cache.appended.add(ref);
            return (target.append as (...a: unknown[]) => unknown).call(target, ref, ...rest);
          };
        }
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private async log(store: CoordinationStore, include: string[], options: Parameters<LogFn>[1], onCommit: Parameters<LogFn>[2]): Promise<number> {
    const first = !this.usedLog;
    this.usedLog = true;
    const cached = first ? this.usable() : null;
    const fresh: StoredCommit[] = [];
    let replay: CachedCommit[] = [];
    if (cached) {
      const known = new Set(Object.values(cached.tips));
      try {
        // Nothing moved since the cache was written: no git process at all.
        if (!include.every((tip) => known.has(tip))) await store.log(include, { ...options, exclude: [...(options.exclude ?? []), ...Object.values(cached.tips)] }, (c) => void fresh.push(c));
        const notBefore = options.notBefore ?? -Infinity;
        replay = cached.commits.filter((c) => c.time >= notBefore);
      } catch {
        // A cached tip git no longer has (pruned, gc'd): read everything.
        fresh.length = 0;
        await store.log(include, options, (c) => void fresh.push(c));
      }
    } else {
      await store.log(include, options, (c) => void fresh.push(c));
    }
    // Remembered in full; delivered until the reader says stop.
    let open = true;
    for (const c of replay) {
      this.commits.set(c.sha, c);
      this.note(c.record);
      if (open) open = onCommit({ sha: c.sha, tree: '', parents: [], time: c.time, message: '', record: c.record }) !== false;
    }
    for (const c of fresh) {
      if (c.record && !SKIPPED.has(c.record.kind)) this.commits.set(c.sha, { sha: c.sha, time: c.time, record: c.record });
      if (first) this.note(c.record);
      if (open) open = onCommit(c) !== false;
    }
    if (fresh.length > 0 || !cached) this.dirty = true;
    return replay.length + fresh.length;
  }

  /** The cache, when every ref it knew still exists. */
  private usable(): CacheFile | null {
    const cached = this.cached;
    if (!cached || !this.refsSeen) return null;
    for (const ref of Object.keys(cached.tips)) if (!this.refsSeen.has(ref)) return null;
    return cached;
  }

  /** Writes what this process read, when it read anything new. Never throws. */
  save(): void {
    try {
      if (!this.file || !this.dirty || !this.refsSeen) return;
      const tips: Record<string, string> = {};
      for (const [ref, tip] of this.refsSeen) if (!this.appended.has(ref)) tips[ref] = tip;
      const body: CacheFile = {
        format: FORMAT,
        location: this.location,
        createdAt: this.cached && this.usable() ? this.cached.createdAt : this.now,
        tips,
        commits: [...this.commits.values()],
      };
      writeFileAtomic(this.file, JSON.stringify(body));
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
}

function load(file: string, location: string, now: number): CacheFile | null {
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (body.format !== FORMAT || body.location !== location || !Array.isArray(body.commits) || typeof body.tips !== 'object') return null;
    if (now - body.createdAt > MAX_AGE_MS) return null;
    return body;
  } catch {
    return null;
  }
}
