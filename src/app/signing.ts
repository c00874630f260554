// Signed records, the application side (docs/sharing.md, "Signed records"): the allowed-signers
// list on `refs/orchestrator/signers`, and the fetch step of `sync` that lets a remote's records
// reach the readers only once verified.
//
// - This machine verifies when it has its own copy of the signers ref (`signing enable` made or
//   adopted it). Its list changes only by its own commands, or by adopting changes of the
//   remote's list whose every new commit is signed by a key the list already allows.
// - A verifying sync fetches into `refs/orchestrator-incoming/<remote>/` (read by nobody), checks
//   every new commit in one `git log` against the list, and moves each remote-tracking ref (what
//   readers fold) only as far as its commits are good: a ref holding an unsigned, forged or
//   unknown-key commit stops before it and costs only itself; the refusal is in the sync result,
//   which `status` shows.
// - Records of this machine are trusted as before; commits already reachable from this machine's
//   refs or remote-tracking refs are not checked again.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../config/files.js';
import { formatKey, mergeAllowedSigners, parseAllowedSigners, parsePublicKey, type PublicKey } from '../core/allowed-signers.js';
import { untrustedText } from '../core/record-schema.js';
import { RECORD_VERSION, type TopologyChanged } from '../core/records.js';
import {
  BASELINE_PATH, type CommitVerdict, type CoordinationStore, incomingNamespace, NAMESPACE, type PushUpdate, type RecordSigning, remoteNamespace, SIGNERS_PATH,
  SIGNERS_REF, TOPOLOGY_REF, type TrackingMove, type TransportOptions,
} from '../store/index.js';

/** A record (commit) of a remote that was not let through, and what to do about it. */
export interface RefusedRecord {
  /** The remote-tracking ref it would have moved (`refs/remotes/<remote>/orchestrator/...`). */
  ref: string;
  /** The first commit refused on that ref (SHA). */
  commit: string;
  /** `unsigned`, `bad signature`, `unknown key`, or what else git said. */
  reason: string;
  /** The signing key's fingerprint (`SHA256:...`), when signed. */
  fingerprint: string | null;
  /** Commits of that ref held back with it (itself included). */
  held: number;
  /** What to do, in one sentence. */
  hint: string;
}

/** What a verified fetch did: remote-tracking refs moved, records refused, the list adopted. */
export interface VerifiedFetch {
  moved: number;
  refused: RefusedRecord[];
  notices: string[];
}

/** `SHA256:<base64>`: the fingerprint ssh-keygen and git print for a key (ssh-keygen(1), `-l`). */
export function fingerprintOf(key: PublicKey): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(key.base64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/**
 * A commit of the signers ref: the allowed signers (`text`, ALLOWED SIGNERS format) and the
 * baseline (`baseline`: lines `<sha> <ref>`), the tips machines vouched for when they turned
 * signing on, so the history written before (unsigned) is accepted up to there.
 */
export interface SignersList {
  sha: string;
  text: string;
  baseline: string;
}

/** The list at `ref` (default: this machine's `refs/orchestrator/signers`), or null when absent: this machine does not verify. */
export async function readSigners(store: CoordinationStore, ref = SIGNERS_REF): Promise<SignersList | null> {
  const sha = await store.readRef(ref);
  if (!sha) return null;
  return { sha, ...(await readListAt(store, sha)) };
}

async function readListAt(store: CoordinationStore, sha: string): Promise<{ text: string; baseline: string }> {
  const read = async (path: string) => {
    const entry = await store.readTreeEntry(sha, path);
    return entry?.type === 'blob' ? (await store.readBlob(entry.sha)).toString('utf8') : '';
  };
  return { text: await read(SIGNERS_PATH), baseline: await read(BASELINE_PATH) };
}

/** The SHAs a baseline names (lines `<40 hex> <ref>`; others ignored). */
export function baselineShas(baseline: string): string[] {
  return [...baselineEntries(baseline).keys()];
}

function baselineEntries(baseline: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of baseline.split('\n')) {
    const match = /^([0-9a-f]{40}) (\S+)$/.exec(line.trim());
    if (match) entries.set(match[1]!, match[2]!);
  }
  return entries;
}

/** A baseline holding `baseline`'s entries and `tips` (ref -> SHA), sorted by ref, one per line. */
export function vouchFor(baseline: string, tips: Iterable<[string, string]>): string {
  const entries = baselineEntries(baseline);
  for (const [ref, sha] of tips) entries.set(sha, ref);
  const lines = [...entries].map(([sha, ref]) => `${sha} ${ref}`).sort((a, b) => a.slice(41).localeCompare(b.slice(41)) || a.localeCompare(b));
  return `${['# Tips vouched for when signing was turned on: their history (written before) is accepted unsigned.', ...lines].join('\n')}\n`;
}

/** The files of a signers commit. */
export function listFiles(text: string, baseline: string): Record<string, string> {
  return { [SIGNERS_PATH]: text, [BASELINE_PATH]: baseline };
}

/** The topology-kind record a commit of the signers ref carries: `action` says what changed. */
export async function signersRecord(store: CoordinationStore, action: string, now: number): Promise<TopologyChanged> {
  return {
    v: RECORD_VERSION, kind: 'topology', id: randomBytes(8).toString('hex'), group: '*', role: 'signers',
    at: now, clock: (await store.maxClock()) + 1, action,
  };
}

/**
 * The fetch step of a sync. Without a local signers ref: a plain fetch (with a notice when the
 * remote's records are signed and this machine does not check them). With one: the verified
 * fetch above. Returns the remote-tracking refs that moved.
 */
export async function fetchRecords(
  store: CoordinationStore,
  remote: string,
  transport: TransportOptions,
  now: () => number,
  refusedCache: string | null = null,
): Promise<VerifiedFetch> {
  const local = store.signing ? await readSigners(store) : null;
  if (!store.signing || !local) {
    const moved = (await store.fetch(remote, transport)).updated;
    const notices: string[] = [];
    if (store.signing && (await store.readRef(`${remoteNamespace(remote)}signers`))) {
      notices.push(`${remote} keeps a list of allowed signers: its records are signed, and this machine neither signs nor checks them; run \`claude-orchestrator signing enable --key <ssh key>\` to take part`);
    }
    return { moved, refused: [], notices };
  }
  return fetchVerified(store, store.signing, remote, transport, local, now, refusedCache);
}

/**
 * What the last verified fetch refused, per remote-tracking ref, with the incoming tip it refused
 * and a hash of the list and baseline it checked against: a ref whose tip and list are unchanged
 * is refused again without reading its commits again (a long refused ref would otherwise be
 * checked at every sync; with keys git must check, two ssh-keygen runs per signed commit).
 */
interface RefusedCache {
  list: string;
  refs: Record<string, { tip: string; refused: RefusedRecord }>;
}

function readRefusedCache(file: string | null, list: string): RefusedCache {
  if (file) {
    try {
      const cache = JSON.parse(readFileSync(file, 'utf8')) as RefusedCache;
      if (cache.list === list && cache.refs && typeof cache.refs === 'object') return cache;
    } catch {
      // None yet, or unreadable: check everything.
    }
  }
  return { list, refs: {} };
}

async function fetchVerified(
  store: CoordinationStore,
  signing: RecordSigning,
  remote: string,
  transport: TransportOptions,
  local: SignersList,
  now: () => number,
  refusedCache: string | null,
): Promise<VerifiedFetch> {
  await signing.fetchIncoming(remote, transport);
  const incomingNs = incomingNamespace(remote);
  const trackingNs = remoteNamespace(remote);
  const incoming = await store.listRefs([incomingNs]);
  const tracking = await store.listRefs([trackingNs]);
  // A damaged copy (a ref file holding garbage) costs only itself: left for its repair (status says how).
  const damaged = new Set(store.damagedRefs().keys());
  const trackingOf = (ref: string) => `${trackingNs}${ref.slice(incomingNs.length)}`;
  const result: VerifiedFetch = { moved: 0, refused: [], notices: [] };
  const moves: TrackingMove[] = [];
  // Whatever this machine already holds (its refs, every remote-tracking ref) is not checked
  // again, nor the history machines vouched for when they turned signing on (the baseline).
  let baseline = local.baseline;
  const trusted = async () => [
    ...new Set([...(await store.listRefs([NAMESPACE])).values(), ...(await store.listRefs(['refs/remotes/'])).values(), ...baselineShas(baseline)]),
  ];

  // The list first: a change to it counts only when signed by a key it already allows.
  let allowed = local.text;
  const signersIn = incoming.get(`${incomingNs}signers`);
  const signersTracking = `${trackingNs}signers`;
  if (signersIn && signersIn !== tracking.get(signersTracking)) {
    const verdicts = signersIn === local.sha || (await store.isAncestor(signersIn, local.sha)) ? [] : await signing.verify([signersIn], await trusted(), allowed);
    const refused = refusals(signersTracking, signersIn, new Map(verdicts.map((v) => [v.sha, v])));
    if (refused) result.refused.push(refused);
    else {
      ({ text: allowed, baseline } = await adoptSigners(store, signing, remote, local, signersIn, now));
      moves.push({ ref: signersTracking, expected: tracking.get(signersTracking) ?? null, next: signersIn });
    }
  }

  // Then every other ref: one pass over everything new (but what was refused last time, unchanged).
  const listHash = createHash('sha256').update(allowed).update('\0').update(baseline).digest('hex');
  const cache = readRefusedCache(refusedCache, listHash);
  const nextCache: RefusedCache = { list: listHash, refs: {} };
  const candidates = [...incoming].filter(([ref, sha]) => {
    if (ref === `${incomingNs}signers` || tracking.get(trackingOf(ref)) === sha) return false;
    const known = cache.refs[trackingOf(ref)];
    if (known?.tip !== sha) return true;
    result.refused.push(known.refused);
    nextCache.refs[trackingOf(ref)] = known;
    return false;
  });
  const verdicts = candidates.length ? await signing.verify(candidates.map(([, sha]) => sha), await trusted(), allowed) : [];
  const bySha = new Map(verdicts.map((v) => [v.sha, v]));
  // Good: signed by a listed key, and every parent good or already held. Parents before children.
  const good = new Set<string>();
  for (let i = verdicts.length - 1; i >= 0; i--) {
    const v = verdicts[i]!;
    if (v.status === 'G' && v.parents.every((p) => !bySha.has(p) || good.has(p))) good.add(v.sha);
  }
  for (const [ref, tip] of candidates) {
    const trackingRef = trackingOf(ref);
    if (!bySha.has(tip)) {
      // Already held here (e.g. the remote's copy of a ref this machine pushed): nothing to check.
      moves.push({ ref: trackingRef, expected: tracking.get(trackingRef) ?? null, next: tip });
      continue;
    }
    let at: string | undefined = tip;
    while (at !== undefined && bySha.has(at) && !good.has(at)) at = bySha.get(at)!.parents[0];
    if (at !== tip) {
      const refused = refusals(trackingRef, tip, bySha);
      if (refused) {
        result.refused.push(refused);
        nextCache.refs[trackingRef] = { tip, refused };
      }
    }
    // Move only to a commit this fetch verified (a tip older than what we hold is left alone).
    if (at !== undefined && good.has(at)) moves.push({ ref: trackingRef, expected: tracking.get(trackingRef) ?? null, next: at });
  }
  // Refs the remote no longer has (pruned there): their copies go, as `fetch --prune` does.
  for (const [ref, sha] of tracking) {
    if (!incoming.has(`${incomingNs}${ref.slice(trackingNs.length)}`)) moves.push({ ref, expected: sha, next: null });
  }
  const applied = moves.filter((move) => !damaged.has(move.ref));
  await signing.moveTracking(applied);
  result.moved = applied.length;
  if (refusedCache) {
    try {
      writeFileAtomic(refusedCache, `${JSON.stringify(nextCache)}\n`);
    } catch {
      // A cache: the next sync checks again.
    }
  }
  return result;
}

/**
 * The first refused commit on the way from `tip` down its first parents, with how many commits
 * it holds back; null when nothing there is refused.
 */
function refusals(ref: string, tip: string, bySha: Map<string, CommitVerdict>): RefusedRecord | null {
  let first: CommitVerdict | null = null;
  let held = 0;
  let count = 0;
  for (let at: string | undefined = tip; at !== undefined && bySha.has(at); at = bySha.get(at)!.parents[0]) {
    count++;
    const v = bySha.get(at)!;
    if (v.status !== 'G') {
      first = v;
      held = count;
    }
  }
  if (!first) return null;
  const { reason, hint } = ref.endsWith('/orchestrator/signers') ? explainList(first) : ref.endsWith('/orchestrator/topology') ? explainTopology(first) : explain(first);
  return { ref, commit: first.sha, reason, fingerprint: first.fingerprint, held, hint };
}

/** A change of the allowed signers that this machine's list does not vouch for. */
function explainList(v: CommitVerdict): { reason: string; hint: string } {
  return {
    reason: `a change of the allowed signers ${v.status === 'N' ? 'without a signature' : v.status === 'B' ? 'with a bad signature' : `signed by a key not in this machine's list${v.fingerprint ? ` (key ${v.fingerprint})` : ''}`}`,
    hint: 'if a teammate is joining (their `signing enable`), allow their key with `claude-orchestrator signing allow <name> <their public key>` and sync; if nobody of your team made it, put this machine\'s list back on the remote: `git --git-dir=<repo> push --force <remote> refs/orchestrator/signers`',
  };
}

/**
 * A refused commit of the shared topology. Never "delete the ref": every machine's topology
 * lives there. This machine keeps its own and pushes its next change over the refused commits
 * (`leaseOverRefusedTopology`); the machine that wrote them merges its change back at its next sync.
 */
function explainTopology(v: CommitVerdict): { reason: string; hint: string } {
  const { reason, hint } = explain(v);
  const meanwhile =
    "meanwhile this machine keeps its topology without that change and pushes its own next topology change over it (with a lease; the writer's next sync merges its change back in)";
  switch (v.status) {
    case 'N':
      return {
        reason,
        hint: `the machine that wrote it does not sign: its owner runs \`claude-orchestrator signing enable --key <ssh key>\` and one of you allows that key with \`claude-orchestrator signing allow <name> <their public key>\`; ${meanwhile}`,
      };
    case 'B':
      return { reason, hint: `do not trust it, and tell its owner; ${meanwhile}` };
    default:
      return { reason, hint: `${hint}; ${meanwhile}` };
  }
}

function explain(v: CommitVerdict): { reason: string; hint: string } {
  const key = v.fingerprint ? ` (key ${v.fingerprint})` : '';
  switch (v.status) {
    case 'N':
      return {
        reason: 'unsigned',
        hint: 'the machine that wrote it does not sign: its owner runs `claude-orchestrator signing enable --key <ssh key>`; if nobody of your team wrote it, delete the ref on the remote',
      };
    case 'U':
      return {
        reason: `signed by a key not in the allowed signers${key}`,
        hint: 'if the key is a teammate\'s (compare the fingerprint with their `claude-orchestrator signing status`), run `claude-orchestrator signing allow <name> <their public key>`, then sync',
      };
    case 'B':
      return {
        reason: `bad signature${key}: the record was altered or forged`,
        hint: 'do not trust it; delete the ref on the remote (`git push <remote> --delete <ref>`) and tell its owner',
      };
    case 'R':
    case 'X':
    case 'Y':
      return { reason: `signed by a revoked or expired key${key}`, hint: 'its owner signs with a current key, listed with `claude-orchestrator signing allow`' };
    default:
      return { reason: `the signature cannot be checked${key} (git: ${untrustedText(v.status, 8)})`, hint: 'check that ssh-keygen works (`ssh-keygen -Y verify` needs OpenSSH 8.2 or later)' };
  }
}

/**
 * Brings this machine's list level with the remote's verified one: fast-forward, or a signed
 * merge (by key line: additions of either side kept, removals of either side honoured). Returns
 * the list's new text and writes the copy git's hand checks read.
 */
async function adoptSigners(
  store: CoordinationStore,
  signing: RecordSigning,
  remote: string,
  local: SignersList,
  theirs: string,
  now: () => number,
): Promise<{ text: string; baseline: string }> {
  if (theirs === local.sha || (await store.isAncestor(theirs, local.sha))) return local;
  const theirsList = await readListAt(store, theirs);
  let adopted = theirsList;
  if (await store.isAncestor(local.sha, theirs)) {
    await store.compareAndSwap(SIGNERS_REF, local.sha, theirs);
  } else {
    const base = await store.mergeBase(local.sha, theirs);
    const baseText = base ? (await readListAt(store, base)).text : '';
    // The lists merge by key line; the baselines are the union of both (each signed by a listed key).
    const theirsTips = [...baselineEntries(theirsList.baseline)].map(([sha, ref]): [string, string] => [ref, sha]);
    adopted = { text: mergeAllowedSigners(local.text, baseText, theirsList.text), baseline: vouchFor(local.baseline, theirsTips) };
    const record = await signersRecord(store, `signing: merged the allowed signers of ${remote}`, now());
    await signing.commitFiles(SIGNERS_REF, listFiles(adopted.text, adopted.baseline), record, local.sha, [theirs]);
  }
  signing.exportAllowedSigners(adopted.text);
  return adopted;
}

/**
 * The push of the list, when this machine has one ahead of the remote's verified copy (a
 * fast-forward; a diverged list is merged by the next fetch first). Null when nothing to push.
 */
export async function signersPush(store: CoordinationStore, remote: string): Promise<PushUpdate | null> {
  const ours = await store.readRef(SIGNERS_REF);
  if (!ours) return null;
  const theirs = await store.readRef(`${remoteNamespace(remote)}signers`);
  if (theirs === ours || (theirs && !(await store.isAncestor(theirs, ours)))) return null;
  return { src: SIGNERS_REF, dst: SIGNERS_REF };
}

/**
 * When this machine pushes its topology (`updates` holds the plain push of TOPOLOGY_REF) and the
 * remote's topology is one this sync refused (`refused`, from `fetchRecords`), turns that push
 * into a forced one with a lease on the remote's refused tip (what the fetch saw there): a
 * fast-forward would be rejected for good, since this machine never builds on refused commits.
 * Sound because every machine keeps its own topology ref and merges the remote's into it: the
 * refused commits stay on the machine that wrote them, whose next sync merges them back (and
 * machines that check take them once their writer signs). The lease makes the push fail, and the
 * sync fetch again, when the remote moved meanwhile. Returns the refusal the push goes over, or null.
 */
export async function leaseOverRefusedTopology(store: CoordinationStore, remote: string, refused: RefusedRecord[], updates: PushUpdate[]): Promise<RefusedRecord | null> {
  const refusal = refused.find((r) => r.ref === `${remoteNamespace(remote)}topology`);
  const update = updates.find((u) => u.dst === TOPOLOGY_REF && u.src === TOPOLOGY_REF && !u.force);
  if (!refusal || !update) return null;
  const tip = await store.readRef(`${incomingNamespace(remote)}topology`);
  const ours = await store.readRef(TOPOLOGY_REF);
  if (!tip || !ours || tip === ours || (await store.isAncestor(tip, ours))) return null;
  update.force = { lease: tip };
  return refusal;
}

/** The sync's notice when this machine's topology went over refused commits of the remote's. */
export function pushedOverRefused(remote: string, r: RefusedRecord): string {
  const held = r.held > 1 ? ` (and ${r.held - 1} after it)` : '';
  return `the topology of ${remote} held ${r.commit.slice(0, 12)}${held}, which this machine refuses (${r.reason}): this machine's topology was pushed over it, with a lease; the machine that wrote it merges its change back in at its next sync, and machines that check signatures take it once that machine signs and its key is allowed`;
}

/**
 * Why a push of the topology keeps being rejected when the remote's topology is one this machine
 * refused (its push over the refused commits, forced with a lease, was rejected too), with what
 * to do; else null.
 */
export function refusedTopologyCause(remote: string, refused: RefusedRecord[]): string | null {
  const r = refused.find((x) => x.ref === `${remoteNamespace(remote)}topology`);
  if (!r) return null;
  return (
    `the topology of ${remote} holds ${r.commit.slice(0, 12)}, which this machine refuses (${r.reason}) and does not build on, so its own topology reaches ${remote} only pushed over it, ` +
    `and that push (forced, with a lease) was rejected too. If ${remote} refuses forced pushes (a hook, or a hosting service's protection rule), allow them for ${TOPOLOGY_REF}, ` +
    `or have that commit accepted: its writer signs (\`claude-orchestrator signing enable --key <ssh key>\`) and one of you allows its key (\`claude-orchestrator signing allow\`)`
  );
}

/** The public key of the key this machine signs with (its `.pub`, or the `.pub` file itself), or null when it has none or it cannot be read. */
export function ownPublicKey(store: CoordinationStore): { path: string; key: PublicKey } | null {
  const path = store.signing?.signingKey();
  if (!path) return null;
  try {
    const key = parsePublicKey(readFileSync(path.endsWith('.pub') ? path : `${path}.pub`, 'utf8'));
    return key ? { path, key } : null;
  } catch {
    return null;
  }
}

/**
 * A problem line (what is wrong and what to do) when this machine signs with a key its own list
 * of allowed signers does not hold (revoked with `--force`, or the list changed under it): the
 * machines that check refuse its records. Null when it does not sign or check, or the key is listed.
 */
export async function ownKeyProblem(store: CoordinationStore): Promise<string | null> {
  const own = ownPublicKey(store);
  if (!own) return null;
  const local = await readSigners(store);
  if (!local || parseAllowedSigners(local.text).some((e) => e.key.base64 === own.key.base64)) return null;
  return (
    `this machine signs its records with ${own.path} (${fingerprintOf(own.key)}), which is not among the allowed signers: machines that check refuse its records from their next sync on, ` +
    `with those of its records they have not read yet. Have it allowed again by a machine whose key is listed (here only if no other machine checks): ` +
    `\`claude-orchestrator signing allow <name> '${formatKey(own.key)}'\`, then sync on both`
  );
}

/** One line for `status` per refused record. */
export function describeRefused(remote: string, r: RefusedRecord): string {
  const held = r.held > 1 ? ` (with the ${r.held - 1} after it)` : '';
  return `refused from ${remote}: ${r.ref} at ${r.commit.slice(0, 12)}${held}: ${r.reason}; its records are not read; ${r.hint}`;
}
