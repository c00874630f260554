// Reading history one commit at a time, shared by both stores so their order is the same by
// construction: a priority walk by committer time (what `git log` does by default).
import type { StoredCommit } from './commits.js';
import type { WalkOptions } from './types.js';

/**
 * Commits reachable from `tip`, newest first (by committer time; on equal times the one reached
 * first; a commit always after the commits it was reached from), following every parent of merge
 * commits, each once. `read` fetches one commit (it may throw the store's errors).
 */
export async function walkCommits(read: (sha: string) => Promise<StoredCommit>, tip: string, options: WalkOptions = {}): Promise<StoredCommit[]> {
  const { stopAt, limit = Infinity, notBefore } = options;
  const out: StoredCommit[] = [];
  const seen = new Set<string>();
  const frontier: StoredCommit[] = [];
  const enqueue = async (shas: string[]) => {
    const fresh = shas.filter((sha) => !seen.has(sha) && !(stopAt && stopAt(sha)));
    for (const sha of fresh) seen.add(sha);
    for (const commit of await Promise.all(fresh.map((sha) => read(sha)))) {
      if (notBefore === undefined || commit.time >= notBefore) frontier.push(commit);
    }
  };
  if (limit <= 0) return out;
  await enqueue([tip]);
  while (frontier.length > 0) {
    let newest = 0;
    for (let i = 1; i < frontier.length; i++) if (frontier[i]!.time > frontier[newest]!.time) newest = i;
    const commit = frontier.splice(newest, 1)[0]!;
    out.push(commit);
    if (out.length >= limit) break;
    await enqueue(commit.parents);
  }
  return out;
}

/** The highest record clock among the tips (0 when none), with a per-SHA memo the caller keeps. */
export async function maxClockOf(tips: Iterable<string>, read: (sha: string) => Promise<StoredCommit>, memo: Map<string, number>): Promise<number> {
  const clocks = await Promise.all(
    [...new Set(tips)].map(async (sha) => {
      let clock = memo.get(sha);
      if (clock === undefined) {
        // A tip whose object is missing (a damaged ref) costs only itself.
        clock = await read(sha).then((c) => c.record?.clock ?? 0, () => 0);
        memo.set(sha, clock);
      }
      return clock;
    }),
  );
  return Math.max(0, ...clocks);
}
