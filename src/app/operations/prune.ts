// Pruning: keeps refs and history from growing without bound (policy in docs/data-model.md).
// - A session ref whose last record is older than the horizon (ended, or silent that long) is
//   moved to refs/orchestrator-archive/sessions/<id>/<ms>; the next sync deletes the remote copy.
// - A changes ref with records older than the horizon is restarted: a new chain holding the
//   recent records plus, per worktree, the newest older record (the ingestion cursor), copied with
//   the same messages (same record ids, so nothing is delivered twice). The old chain is archived.
//   The next sync force-pushes that one ref, with a lease.
// - Archive entries older than the archive horizon are deleted; `git gc` then drops their commits.
// Only this machine's refs are touched (refs/orchestrator/ holds nothing else), and every move
// is a compare-and-swap, so a session or ingester writing meanwhile wins and the ref is skipped.
import { archiveRefFor, type CoordinationStore, NAMESPACE, parseArchiveRef, type StoredCommit } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { describeError } from '../errors.js';

export interface PruneOptions {
  /** Records and refs older than this (ms) go (the horizon). */
  olderThanMs: number;
  /** Archive entries are deleted this long (ms) after archiving (default: the horizon). */
  keepArchiveMs?: number;
  dryRun?: boolean;
  now?: number;
}

export interface PruneReport {
  dryRun: boolean;
  horizon: string;
  /** Session refs moved to the archive. */
  archived: { ref: string; archive: string; lastRecord: string }[];
  /** Changes refs started afresh. */
  restarted: { ref: string; archive: string; kept: number; dropped: number }[];
  /** Archive entries deleted. */
  expired: string[];
  /** Refs left alone because they moved meanwhile, with why. */
  skipped: { ref: string; reason: string }[];
}

/** Restarting a chain copies records: past this many kept, the ref is left for the next prune. */
const MAX_KEPT = 5_000;

/** Archives and restarts refs past the horizon (policy: docs/data-model.md). */
export async function prune(ctx: AppContext, options: PruneOptions): Promise<PruneReport> {
  return pruneStore(ctx.store, options);
}

export async function pruneStore(store: CoordinationStore, options: PruneOptions): Promise<PruneReport> {
  const now = options.now ?? Date.now();
  const cutoff = now - options.olderThanMs;
  const keepArchiveMs = options.keepArchiveMs ?? options.olderThanMs;
  const dryRun = options.dryRun === true;
  const report: PruneReport = { dryRun, horizon: new Date(cutoff).toISOString(), archived: [], restarted: [], expired: [], skipped: [] };

  for (const [ref, tip] of await store.listRefs([`${NAMESPACE}sessions/`])) {
    const commit = await store.readCommit(tip);
    const last = commit.record?.at ?? commit.time;
    if (last >= cutoff) continue;
    const archive = archiveRefFor(ref, now);
    report.archived.push({ ref, archive, lastRecord: new Date(last).toISOString() });
    if (dryRun) continue;
    try {
      await store.writeArchiveRef(archive, tip);
      await store.deleteRef(ref, tip);
    } catch (error) {
      report.archived.pop();
      await store.deleteRef(archive, tip).catch(() => undefined);
      report.skipped.push({ ref, reason: describeError(error) });
    }
  }

  for (const [ref, tip] of await store.listRefs([`${NAMESPACE}changes/`])) {
    const recent: StoredCommit[] = [];
    const older: StoredCommit[] = [];
    const cursorOf = new Set<string>();
    let total = 0;
    for (let sha: string | null = tip; sha; ) {
      const commit: StoredCommit = await store.readCommit(sha);
      total++;
      const at = commit.record?.at ?? commit.time;
      if (at >= cutoff && older.length === 0) recent.push(commit);
      else {
        // Keep the newest older record overall and per worktree: ingestion resumes from them.
        const worktree = commit.record?.kind === 'event' ? commit.record.ingest?.worktree ?? '' : '';
        if (older.length === 0 || !cursorOf.has(worktree)) {
          older.push(commit);
          cursorOf.add(worktree);
        }
      }
      sha = commit.parents[0] ?? null;
    }
    const kept = [...older.reverse(), ...recent.reverse()];
    if (total === kept.length) continue; // nothing older to drop
    if (kept.length > MAX_KEPT) {
      report.skipped.push({ ref, reason: `${kept.length} recent records: too many to copy in one prune` });
      continue;
    }
    const archive = archiveRefFor(ref, now);
    report.restarted.push({ ref, archive, kept: kept.length, dropped: total - kept.length });
    if (dryRun) continue;
    let parent: string | null = null;
    for (const commit of kept) {
      parent = await store.recommit(commit.tree, parent ? [parent] : [], commit.message, await store.readAuthor(commit.sha));
    }
    try {
      await store.writeArchiveRef(archive, tip);
      await store.compareAndSwap(ref, tip, parent!);
    } catch (error) {
      report.restarted.pop();
      await store.deleteRef(archive, tip).catch(() => undefined);
      report.skipped.push({ ref, reason: describeError(error) });
    }
  }

  for (const [name, sha] of await store.listArchive()) {
    const parsed = parseArchiveRef(name);
    if (!parsed || parsed.stamp >= now - keepArchiveMs || parsed.stamp === now) continue;
    report.expired.push(name);
    if (!dryRun) await store.deleteRef(name, sha).catch((error) => report.skipped.push({ ref: name, reason: describeError(error) }));
  }
  return report;
}
