// Sharing through git remotes (`claude-orchestrator sync`, the server's share timer): fetch the
// others' records, push ours, merge the shared topology. (Sync points, the barriers, are unrelated:
// src/core/state/syncpoints.ts.)
//
// - Every machine writes only its own refs (sessions it runs, changes refs named by its machine
//   id), so pushing them is always a fast-forward; readers already read refs/remotes/*.
// - The remote's refs land in refs/remotes/<remote>/orchestrator/ (fetch only; never written here).
// - The topology is the one shared ref: fast-forwarded when one side is behind, otherwise a merge
//   commit with both parents (3-way merged text, or ours kept and theirs saved beside on a conflict).
// - Refs this machine pruned (archived) are deleted on the remote; restarted ones are force-pushed
//   with a lease. So is the topology over commits of the remote's that signature checks refused
//   (app/signing.ts, leaseOverRefusedTopology). Nothing else is ever forced.
// A sync never throws for a remote's failure: it comes back in the result and in the per-remote
// state file, for `status` and the tools.
import { OrchestratorError } from '../core/errors.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { HomePaths } from '../config/home.js';
import { RECORD_VERSION, type TopologyChanged } from '../core/records.js';
import { type CoordinationStore, localRemotePath, NAMESPACE, parseArchiveRef, type PushUpdate, type RemoteInfo, remoteNamespace, SIGNERS_REF, StaleRefError, TOPOLOGY_PATH, TOPOLOGY_REF } from '../store/index.js';
import { describeError } from './errors.js';
import { mergeTopology } from './topology-merge.js';
import type { TopologyService } from './topology-service.js';
import { formatProblem } from '../topology/parse.js';
import { acquireFileLock, writeFileAtomic } from '../config/files.js';
import { conflictFile, readRemoteState, readText, stateDir, writeRemoteState } from './share-state.js';
import { machineIdProblem, RENEW_MACHINE_ID } from '../config/machine.js';
import { nextClock, untrustedText } from '../core/record-schema.js';
import { notePathsFromRemote } from './shared-paths.js';
import { recordArrivals } from './peer-clocks.js';
import { fetchRecords, leaseOverRefusedTopology, pushedOverRefused, refusedTopologyCause, signersPush, type RefusedRecord } from './signing.js';

export interface SyncDeps {
  paths: HomePaths;
  store: CoordinationStore;
  topology: TopologyService;
  now?: () => number;
}

export interface ShareOptions {
  /** Only this remote (default: every configured remote). */
  remote?: string;
  /** False in background syncs: git must not prompt for credentials or host keys. */
  interactive?: boolean;
  /** Per git command (default 120 s). */
  timeoutMs?: number;
}

export type TopologyOutcome = 'unchanged' | 'pushed' | 'fast-forwarded' | 'merged' | 'conflict' | 'skipped';

export interface RemoteSyncResult {
  remote: string;
  url: string;
  ok: boolean;
  /** What went wrong (unreachable, auth, ...), with git's own words. */
  error: string | null;
  /** ISO time the sync finished. */
  at: string;
  durationMs: number;
  /** Remote-tracking refs that moved. */
  fetched: number;
  /** Our refs that moved on the remote (records we shared). */
  pushed: number;
  /** Pruned refs removed from the remote. */
  deleted: number;
  topology: TopologyOutcome;
  /** Refs only this machine writes whose remote copy holds commits it did not write (not pushed). */
  foreignRefs?: string[];
  /** A topology conflict: which version topology.yml kept, and the other saved in `file` (share-state.ts). */
  conflict: { file: string; reason: string; kept: 'ours' | 'theirs' } | null;
  notices: string[];
  /** Records of the remote refused by signature checks (signed records only; app/signing.ts). */
  refused: RefusedRecord[];
}

export interface SyncReport {
  remotes: RemoteSyncResult[];
}

/** What `status` shows per remote: the last attempt and the last success. */
export interface RemoteSyncState {
  remote: string;
  last: RemoteSyncResult;
  lastSuccessAt: string | null;
  /** Failures in a row (0 after a success). */
  failures: number;
}

const PUSH_ATTEMPTS = 3;
/** git's push status for a ref the remote could not lock ("[remote rejected] (failed to update ref)"). */
const LOCK_FAILURE = /failed to update ref|cannot lock ref|failed to lock/;
/**
 * The pause before pushing again after a lock failure, times the attempt (ms): the two pauses
 * outlast STALE_LOCK_MS, after which a lock on a remote on this disk is removed as stale.
 */
const LOCK_RETRY_MS = 2_000;

const EXPLICIT_REFS_MAX = 500;
const SYNC_LOCK_STALE_MS = 10 * 60_000;

/** Why the remote's `refs` stayed locked, naming their lock files, and what to do. */
function lockedCause(remote: RemoteInfo, refs: string[]): string {
  const where = localRemotePath(remote.url);
  const files = refs.map((ref) => (where ? join(where, `${ref}.lock`) : `${ref}.lock`)).join(', ');
  return `the remote's refs stayed locked: a push or \`git gc\` runs there, or one was killed and left ${files}${where ? '' : ` in ${remote.url}`}. If no git process runs there, remove it on the remote, then sync again.`;
}

/** Syncs every configured remote (or one), one after another. Never throws for a remote's failure. */
export async function syncRemotes(deps: SyncDeps, options: ShareOptions = {}): Promise<SyncReport> {
  const remotes = await deps.store.listRemotes();
  const chosen = options.remote ? remotes.filter((r) => r.name === options.remote) : remotes;
  if (options.remote && chosen.length === 0) {
    throw new SyncSetupError(
      `no remote named ${options.remote} (remotes: ${remotes.map((r) => r.name).join(', ') || 'none'})`,
      'add one with: claude-orchestrator remote add <name> <url>',
    );
  }
  const results: RemoteSyncResult[] = [];
  for (const remote of chosen) results.push(await syncRemote(deps, remote, options));
  return { remotes: results };
}

export class SyncSetupError extends OrchestratorError {
  constructor(message: string, hint: string) {
    super('SYNC_SETUP', message, hint);
  }
}

async function syncRemote(deps: SyncDeps, remote: RemoteInfo, options: ShareOptions): Promise<RemoteSyncResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const result: RemoteSyncResult = {
    remote: remote.name, url: remote.url, ok: false, error: null, at: '', durationMs: 0,
    fetched: 0, pushed: 0, deleted: 0, topology: 'unchanged', conflict: null, notices: [], refused: [],
  };
  const lock = await acquireFileLock(join(stateDir(deps.paths.home), `${remote.name}.lock`), {
    staleMs: SYNC_LOCK_STALE_MS, what: `syncing with ${remote.name}`,
  });
  if ('busy' in lock) {
    result.error = `another sync with ${remote.name} is running on this machine; this one was skipped`;
    result.topology = 'skipped';
    return finish(deps, result, started, now, false);
  }
  try {
    const transport = { interactive: options.interactive ?? true, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) };
    // A hand edit of topology.yml becomes a commit first, so it takes part in the merge.
    try {
      await deps.topology.recordHandEdit();
      const loaded = await deps.topology.load();
      if (loaded.errors.length > 0) result.notices.push(`topology.yml has errors, so its hand edits are not shared yet: ${loaded.errors.map((p) => formatProblem(p)).join('; ')}`);
    } catch (error) {
      result.notices.push(`could not record hand edits of topology.yml: ${describeError(error)}`);
    }
    const machine = machineIdProblem(deps.paths.home);
    if (machine) result.notices.push(machine);
    let duplicate: string | null = null;
    const lastSuccess = readRemoteState(deps.paths.home, remote.name)?.lastSuccessAt;
    let previousFetch = lastSuccess ? Date.parse(lastSuccess) : null;
    // After a lock failure every ref is planned again; after a topology race, the topology only.
    let planAll = true;
    for (let attempt = 1; ; attempt++) {
      const before = await deps.store.listRefs([`${remoteNamespace(remote.name)}sessions/`]);
      const fetched = await fetchRecords(deps.store, remote.name, transport, now, join(stateDir(deps.paths.home), `${remote.name}.refused.cache`));
      result.fetched += fetched.moved;
      result.refused = fetched.refused;
      for (const notice of fetched.notices) if (!result.notices.includes(notice)) result.notices.push(notice);
      await sampleClocks(deps, remote.name, before, previousFetch);
      previousFetch = now();
      const topology = await syncTopology(deps, remote.name, result);
      if (topology !== 'retry') result.topology = mergeOutcome(result.topology, topology);
      const { updates, patterns, topologyPushed, foreign } = await planPush(deps.store, remote.name, planAll);
      if (foreign.length) {
        duplicate = foreignWriters(foreign, remote.name);
        result.foreignRefs = foreign.map((f) => f.ref);
      }
      const signers = await signersPush(deps.store, remote.name);
      if (signers) updates.push(signers);
      const over = await leaseOverRefusedTopology(deps.store, remote.name, result.refused, updates);
      const pushed = await deps.store.push(remote.name, patterns, updates, transport);
      if (over && pushed.some((p) => p.dst === TOPOLOGY_REF && p.status === 'ok')) {
        result.notices.push(pushedOverRefused(remote.name, over));
        result.refused = result.refused.filter((r) => r !== over); // no longer on the remote
      }
      const rejected = pushed.filter((p) => p.status === 'rejected' || p.status === 'error');
      result.pushed += pushed.filter((p) => p.status === 'ok' && !(updates.find((u) => u.dst === p.dst)?.src === null)).length;
      result.deleted += pushed.filter((p) => p.status === 'ok' && updates.find((u) => u.dst === p.dst)?.src === null).length;
      if (topologyPushed && result.topology === 'unchanged' && pushed.some((p) => p.dst === TOPOLOGY_REF && p.status === 'ok')) result.topology = 'pushed';
      if (rejected.length === 0 && topology !== 'retry') break;
      const onlyTopology = rejected.every((p) => p.dst === TOPOLOGY_REF || p.dst === SIGNERS_REF);
      // The remote could not lock a ref: another push or the remote's own `gc --auto` held it, or
      // a push killed there left its `.lock` (removed by age on a remote on this disk).
      const locked = rejected.length > 0 && rejected.every((p) => LOCK_FAILURE.test(p.detail));
      if ((!onlyTopology && !locked) || attempt >= PUSH_ATTEMPTS) {
        const cause = locked ? lockedCause(remote, rejected.map((p) => p.dst)) : rejected.some((p) => p.dst === TOPOLOGY_REF) ? refusedTopologyCause(remote.name, result.refused) : null;
        throw new Error(`the remote refused ${rejected.map((p) => `${p.dst} (${p.detail})`).join(', ') || 'the topology'} after ${attempt} attempt(s)${cause ? `. Why: ${cause}` : ''}`);
      }
      planAll = locked;
      if (locked) await new Promise((r) => setTimeout(r, LOCK_RETRY_MS * attempt));
      // Someone pushed the topology meanwhile: fetch, merge again, push again.
    }
    // Everything else went through; the refs two machines write stay unshared until it is fixed.
    if (duplicate) throw new Error(duplicate);
    result.ok = true;
  } catch (error) {
    result.error = describeError(error);
  } finally {
    await lock.held.release();
  }
  return finish(deps, result, started, now, result.ok);
}

/** Session refs sampled per fetch at most: enough to learn every machine's clock. */
const CLOCK_SAMPLES_PER_FETCH = 200;
/** A sample counts only when the previous fetch of this remote is this recent (ms). */
const CLOCK_SAMPLE_WINDOW_MS = 5 * 60_000;

/**
 * Notes arrivals that tell another machine's clock (app/peer-clocks.ts): `receivedAt - at` is
 * its offset plus the record's delay, so only records known to be fresh are sampled: the ref
 * moved by exactly one record (or appeared with one) since this remote's previous fetch, which was at most
 * CLOCK_SAMPLE_WINDOW_MS ago (a live server pushes each record within seconds; a backlog pushed
 * after hours offline moves a ref by many). A record from the future (`at` after receipt) proves
 * a clock ahead of ours and is always sampled. Best effort: a failure costs a sample.
 */
async function sampleClocks(deps: SyncDeps, remote: string, before: ReadonlyMap<string, string>, previousFetch: number | null): Promise<void> {
  try {
    const receivedAt = (deps.now ?? Date.now)();
    const recent = previousFetch !== null && receivedAt - previousFetch <= CLOCK_SAMPLE_WINDOW_MS;
    const after = await deps.store.listRefs([`${remoteNamespace(remote)}sessions/`]);
    const moved = [...after].filter(([ref, sha]) => before.get(ref) !== sha).slice(0, CLOCK_SAMPLES_PER_FETCH);
    const arrivals = [];
    for (const [ref, sha] of moved) {
      const commit = await deps.store.readCommit(sha);
      const record = commit.record;
      if (!record?.session) continue;
      // One record since the previous fetch: moved by one, or a new ref of one record.
      const fresh = recent && (before.has(ref) ? commit.parents[0] === before.get(ref) : commit.parents.length === 0);
      if (fresh || record.at > receivedAt) arrivals.push({ session: record.session, sample: { at: record.at, receivedAt } });
    }
    recordArrivals(deps.paths.home, arrivals);
  } catch {
    // The next fetch samples again.
  }
}

function mergeOutcome(previous: TopologyOutcome, next: TopologyOutcome): TopologyOutcome {
  const rank: TopologyOutcome[] = ['unchanged', 'skipped', 'pushed', 'fast-forwarded', 'merged', 'conflict'];
  return rank.indexOf(next) > rank.indexOf(previous) ? next : previous;
}

function finish(deps: SyncDeps, result: RemoteSyncResult, started: number, now: () => number, ok: boolean): RemoteSyncResult {
  result.durationMs = now() - started;
  result.at = new Date(now()).toISOString();
  const previous = readRemoteState(deps.paths.home, result.remote);
  writeRemoteState(deps.paths.home, {
    remote: result.remote,
    last: result,
    lastSuccessAt: ok ? result.at : previous?.lastSuccessAt ?? null,
    failures: ok ? 0 : (previous?.failures ?? 0) + 1,
  });
  return result;
}

// ---- topology --------------------------------------------------------------------------------

async function topologyText(store: CoordinationStore, sha: string): Promise<string> {
  const entry = await store.readTreeEntry(sha, TOPOLOGY_PATH);
  if (!entry || entry.type !== 'blob') return '';
  return (await store.readBlob(entry.sha)).toString('utf8');
}

/** Brings the local topology ref (and topology.yml) level with the remote's; 'retry' when the ref moved under us. */
async function syncTopology(deps: SyncDeps, remote: string, result: RemoteSyncResult): Promise<TopologyOutcome | 'retry'> {
  const { store } = deps;
  const theirs = await store.readRef(`${remoteNamespace(remote)}topology`);
  const ours = await store.readRef(TOPOLOGY_REF);
  if (!theirs || theirs === ours) return 'unchanged';
  if (ours && (await store.isAncestor(theirs, ours))) return 'unchanged'; // ours is ahead: pushed below
  if (!ours || (await store.isAncestor(ours, theirs))) {
    const text = await topologyText(store, theirs);
    // Validated before it is adopted: an invalid topology from a remote would fail every tool here.
    const checked = deps.topology.validate(text);
    const errors = checked.errors;
    if (errors.length > 0) {
      const file = conflictFile(deps.paths.home, remote, 'ours');
      writeFileAtomic(file, text);
      const reason = `the topology of ${remote} (${theirs.slice(0, 12)}) is invalid: ${errors.slice(0, 3).map((p) => formatProblem(p)).join('; ')}`;
      result.notices.push(`${reason}; kept this machine's; theirs is in ${file}`);
      result.conflict = { file, reason, kept: 'ours' };
      return 'conflict';
    }
    const moved = await updateTopology(deps, ours, text, async () => {
      await store.compareAndSwap(TOPOLOGY_REF, ours, theirs);
      return theirs;
    });
    if (moved === 'busy') {
      result.notices.push('topology.yml is being edited (or has an unrecorded edit); the topology is merged on the next sync');
      return 'skipped';
    }
    if (moved === 'retry') return 'retry';
    notePathsFromRemote(deps.paths.home, remote, ours ? deps.topology.validate(await topologyText(store, ours)).topology ?? null : null,
      checked.topology ?? null, (deps.now ?? Date.now)());
    // Tell this machine when the update it took in settled a conflict against an edit made here,
    // and keep the side that lost (the merge's other parent) beside topology.yml on this disk, so
    // `status` shows the conflict here too (the merge message names a file on the other machine).
    // Only a machine whose own edit is on the side not kept is told: one that only followed
    // (its tip is on both sides, or it had none) has nothing to merge.
    if (!ours) return 'fast-forwarded';
    for (const commit of await store.walk(theirs, { stopAt: (sha) => sha === ours, limit: 50 })) {
      if (commit.record?.kind !== 'topology' || !commit.record.action.includes('CONFLICT')) continue;
      const [kept, lost] = commit.parents;
      if (!kept || !lost || !(await store.isAncestor(ours, lost)) || (await store.isAncestor(ours, kept))) continue;
      const file = conflictFile(deps.paths.home, remote, 'theirs');
      writeFileAtomic(file, await topologyText(store, lost));
      result.conflict = { file, kept: 'theirs', reason: `a merge on ${remote} kept its version of the topology, not this machine's edit (${lost.slice(0, 12)})` };
      result.notices.push(`from ${remote}: ${untrustedText(commit.record.action, 300)}; this machine's version that was not kept is in ${file}`);
      return 'conflict';
    }
    return 'fast-forwarded';
  }

  // Diverged: both machines edited the topology.
  const base = await store.mergeBase(ours, theirs);
  const [oursText, theirsText, baseText] = await Promise.all([
    topologyText(store, ours),
    topologyText(store, theirs),
    base ? topologyText(store, base) : Promise.resolve(''),
  ]);
  const merged = await mergeTopology(oursText, baseText, theirsText, {
    theirsLabel: remote,
    valid: (text) => {
      const errors = deps.topology.validate(text).errors;
      return errors.length ? errors.map((p) => formatProblem(p)).join('; ') : null;
    },
  });
  const saved = conflictFile(deps.paths.home, remote, 'ours');
  const text = merged.ok ? merged.text : oursText;
  const action = merged.ok
    ? `merged the topology of ${remote} (${merged.how === 'lines' ? 'line by line' : 'by structure'})`
    : `merge with ${remote}: CONFLICT (${merged.reason}); kept this machine's version; theirs (${theirs.slice(0, 12)}) saved as ${saved}`;
  const record: TopologyChanged = {
    v: RECORD_VERSION, kind: 'topology', id: randomBytes(8).toString('hex'), group: '*', role: 'topology',
    at: (deps.now ?? Date.now)(), clock: nextClock(await store.maxClock()), action,
  };
  const moved = await updateTopology(deps, ours, text, async () => store.commitTopology(text, record, ours, [theirs]));
  if (moved === 'busy') {
    result.notices.push('topology.yml is being edited (or has an unrecorded edit); the topology is merged on the next sync');
    return 'skipped';
  }
  if (moved === 'retry') return 'retry';
  if (merged.ok) notePathsFromRemote(deps.paths.home, remote, deps.topology.validate(oursText).topology ?? null, deps.topology.validate(text).topology ?? null, (deps.now ?? Date.now)());
  if (merged.ok) return 'merged';
  writeFileAtomic(saved, theirsText);
  result.conflict = { file: saved, reason: merged.reason, kept: 'ours' };
  return 'conflict';
}

/**
 * Under topology.yml's lock (the TopologyService's protocol): checks the file holds what the ref
 * `expectedTip` holds (no unrecorded hand edit), moves the ref, then writes the file.
 */
async function updateTopology(deps: SyncDeps, expectedTip: string | null, text: string, move: () => Promise<string>): Promise<'done' | 'busy' | 'retry'> {
  const file = deps.paths.topologyFile;
  // The TopologyService's lock: a sync and a CLI edit never write topology.yml at once.
  const lock = await acquireFileLock(`${file}.lock`, { timeoutMs: 5_000, staleMs: 30_000, what: 'the topology' });
  if ('busy' in lock) return 'busy';
  try {
    const current = readText(file);
    const recorded = expectedTip ? await topologyText(deps.store, expectedTip) : null;
    if (current !== null && recorded !== null && current !== recorded) return 'busy';
    if (current !== null && recorded === null && current.trim() !== '' && current !== text) {
      // A file never committed (no topology ref yet): load() records it unless it is invalid.
      return 'busy';
    }
    try {
      await move();
    } catch (error) {
      if (error instanceof StaleRefError) return 'retry';
      throw error;
    }
    writeFileAtomic(file, text);
    return 'done';
  } finally {
    await lock.held.release();
  }
}

// ---- push plan -------------------------------------------------------------------------------

interface PushPlan {
  updates: PushUpdate[];
  patterns: string[];
  topologyPushed: boolean;
  /**
   * Refs only this machine writes whose copy on the remote holds commits it never wrote: another
   * machine writes them too (a copied machine id, or a session id reused). Not pushed.
   */
  foreign: { ref: string; theirs: string }[];
}

const OWN_PREFIXES = [`${NAMESPACE}sessions/`, `${NAMESPACE}changes/`];

/**
 * What to push, from our refs and the remote-tracking copies just fetched: refs that moved
 * (fast-forwards), refs restarted by prune (forced, with a lease on what the remote has), refs
 * pruned here (deleted, with a lease), and the topology when the remote is behind.
 */
async function planPush(store: CoordinationStore, remote: string, full: boolean): Promise<PushPlan> {
  const tracking = remoteNamespace(remote);
  const local = await store.listRefs(OWN_PREFIXES);
  const remoteRefs = await store.listRefs([tracking]);
  const theirsOf = (ref: string) => remoteRefs.get(`${tracking}${ref.slice(NAMESPACE.length)}`) ?? null;
  const updates: PushUpdate[] = [];
  const changed: string[] = [];
  const foreign: PushPlan['foreign'] = [];
  if (full) {
    // Refs pruned here: the archive remembers their old chains.
    const archived = new Map<string, Set<string>>();
    for (const [name, sha] of await store.listArchive()) {
      const parsed = parseArchiveRef(name);
      if (!parsed) continue;
      const set = archived.get(parsed.ref) ?? new Set<string>();
      set.add(sha);
      archived.set(parsed.ref, set);
    }
    for (const [ref, sha] of local) {
      const theirs = theirsOf(ref);
      if (theirs === sha) continue;
      if (!theirs || (await store.isAncestor(theirs, sha))) {
        changed.push(ref);
        continue;
      }
      // The remote's copy is not behind ours. Forced only when it is a chain this machine
      // archived (prune restarted the ref); anything else was written by another machine.
      if (await wroteHere(store, theirs, archived.get(ref))) updates.push({ src: ref, dst: ref, force: { lease: theirs } });
      else foreign.push({ ref, theirs });
    }
    for (const [trackingRef, sha] of remoteRefs) {
      const ref = `${NAMESPACE}${trackingRef.slice(tracking.length)}`;
      if (local.has(ref) || !archived.get(ref)?.has(sha)) continue;
      updates.push({ src: null, dst: ref, force: { lease: sha } });
    }
  }
  const patterns: string[] = [];
  if (changed.length > EXPLICIT_REFS_MAX) patterns.push(...OWN_PREFIXES.map((p) => `${p}*:${p}*`));
  else for (const ref of changed) updates.push({ src: ref, dst: ref });
  const ours = await store.readRef(TOPOLOGY_REF);
  const theirs = theirsOf(TOPOLOGY_REF);
  let topologyPushed = false;
  if (ours && ours !== theirs && (!theirs || (await store.isAncestor(theirs, ours)))) {
    updates.push({ src: TOPOLOGY_REF, dst: TOPOLOGY_REF });
    topologyPushed = true;
  }
  return { updates, patterns, topologyPushed, foreign };
}

/** Whether `sha` is (in) a chain this machine archived for the ref: its own history, restarted. */
async function wroteHere(store: CoordinationStore, sha: string, archivedTips: Set<string> | undefined): Promise<boolean> {
  for (const tip of archivedTips ?? []) if (await store.isAncestor(sha, tip)) return true;
  return false;
}

/** What `status` and the sync result say when another machine writes refs only this one should. */
function foreignWriters(foreign: PushPlan['foreign'], remote: string): string {
  const refs = foreign.map((f) => f.ref);
  const machineRefs = refs.filter((r) => r.startsWith(`${NAMESPACE}changes/`));
  const shown = refs.slice(0, 3).join(', ') + (refs.length > 3 ? ` and ${refs.length - 3} more` : '');
  const fix = machineRefs.length
    ? `another machine uses this machine's id (a copied home or cloned VM). Fix: on one of the two machines only, ${RENEW_MACHINE_ID}`
    : 'another machine writes the same session ref (its session id was copied). End that session on one machine';
  return `${remote} holds records on ${shown} that this machine did not write, so they were not pushed: ${fix}`;
}
