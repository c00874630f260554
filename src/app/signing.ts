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
import { mergeAllowedSigners, type PublicKey } from '../core/allowed-signers.js';
import { untrustedText } from '../core/record-schema.js';
import { RECORD_VERSION, type TopologyChanged } from '../core/records.js';
import {
  type CommitVerdict, type CoordinationStore, incomingNamespace, NAMESPACE, type PushUpdate, type RecordSigning, remoteNamespace, SIGNERS_PATH, SIGNERS_REF,
  type TrackingMove, type TransportOptions,
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

/** This machine's allowed-signers list (its `refs/orchestrator/signers`), or null when it does not verify. */
export async function readSigners(store: CoordinationStore, ref = SIGNERS_REF): Promise<{ sha: string; text: string } | null> {
  const sha = await store.readRef(ref);
  if (!sha) return null;
  const entry = await store.readTreeEntry(sha, SIGNERS_PATH);
  const text = entry?.type === 'blob' ? (await store.readBlob(entry.sha)).toString('utf8') : '';
  return { sha, text };
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
  return fetchVerified(store, store.signing, remote, transport, local, now);
}

async function fetchVerified(
  store: CoordinationStore,
  signing: RecordSigning,
  remote: string,
  transport: TransportOptions,
  local: { sha: string; text: string },
  now: () => number,
): Promise<VerifiedFetch> {
  await signing.fetchIncoming(remote, transport);
  const incomingNs = incomingNamespace(remote);
  const trackingNs = remoteNamespace(remote);
  const incoming = await store.listRefs([incomingNs]);
  const tracking = await store.listRefs([trackingNs]);
  const trackingOf = (ref: string) => `${trackingNs}${ref.slice(incomingNs.length)}`;
  const result: VerifiedFetch = { moved: 0, refused: [], notices: [] };
  const moves: TrackingMove[] = [];
  // Whatever this machine already holds (its refs, every remote-tracking ref) is not checked again.
  const trusted = async () => [...new Set([...(await store.listRefs([NAMESPACE])).values(), ...(await store.listRefs(['refs/remotes/'])).values()])];

  // The list first: a change to it counts only when signed by a key it already allows.
  let allowed = local.text;
  const signersIn = incoming.get(`${incomingNs}signers`);
  const signersTracking = `${trackingNs}signers`;
  if (signersIn && signersIn !== tracking.get(signersTracking)) {
    const verdicts = signersIn === local.sha || (await store.isAncestor(signersIn, local.sha)) ? [] : await signing.verify([signersIn], await trusted(), allowed);
    const refused = refusals(signersTracking, signersIn, verdicts);
    if (refused) result.refused.push(refused);
    else {
      allowed = await adoptSigners(store, signing, remote, local, signersIn, now);
      moves.push({ ref: signersTracking, expected: tracking.get(signersTracking) ?? null, next: signersIn });
    }
  }

  // Then every other ref: one `git log` over everything new.
  const candidates = [...incoming].filter(([ref, sha]) => ref !== `${incomingNs}signers` && tracking.get(trackingOf(ref)) !== sha);
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
      const refused = refusals(trackingRef, tip, verdicts);
      if (refused) result.refused.push(refused);
    }
    // Move only to a commit this fetch verified (a tip older than what we hold is left alone).
    if (at !== undefined && good.has(at)) moves.push({ ref: trackingRef, expected: tracking.get(trackingRef) ?? null, next: at });
  }
  // Refs the remote no longer has (pruned there): their copies go, as `fetch --prune` does.
  for (const [ref, sha] of tracking) {
    if (!incoming.has(`${incomingNs}${ref.slice(trackingNs.length)}`)) moves.push({ ref, expected: sha, next: null });
  }
  await signing.moveTracking(moves);
  result.moved = moves.length;
  return result;
}

/**
 * The first refused commit on the way from `tip` down its first parents, with how many commits
 * it holds back; null when nothing there is refused.
 */
function refusals(ref: string, tip: string, verdicts: CommitVerdict[]): RefusedRecord | null {
  const bySha = new Map(verdicts.map((v) => [v.sha, v]));
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
  const { reason, hint } = explain(first);
  return { ref, commit: first.sha, reason, fingerprint: first.fingerprint, held, hint };
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
  local: { sha: string; text: string },
  theirs: string,
  now: () => number,
): Promise<string> {
  if (theirs === local.sha || (await store.isAncestor(theirs, local.sha))) return local.text;
  const theirsText = (await readSignersAt(store, theirs)) ?? '';
  let text = theirsText;
  if (await store.isAncestor(local.sha, theirs)) {
    await store.compareAndSwap(SIGNERS_REF, local.sha, theirs);
  } else {
    const base = await store.mergeBase(local.sha, theirs);
    text = mergeAllowedSigners(local.text, base ? ((await readSignersAt(store, base)) ?? '') : '', theirsText);
    const record = await signersRecord(store, `signing: merged the allowed signers of ${remote}`, now());
    await signing.commitFile(SIGNERS_REF, SIGNERS_PATH, text, record, local.sha, [theirs]);
  }
  signing.exportAllowedSigners(text);
  return text;
}

async function readSignersAt(store: CoordinationStore, sha: string): Promise<string | null> {
  const entry = await store.readTreeEntry(sha, SIGNERS_PATH);
  return entry?.type === 'blob' ? (await store.readBlob(entry.sha)).toString('utf8') : null;
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

/** One line for `status` per refused record. */
export function describeRefused(remote: string, r: RefusedRecord): string {
  const held = r.held > 1 ? ` (with the ${r.held - 1} after it)` : '';
  return `refused from ${remote}: ${r.ref} at ${r.commit.slice(0, 12)}${held}: ${r.reason}; its records are not read. ${r.hint}`;
}
