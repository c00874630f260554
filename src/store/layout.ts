// Ref names of the coordination repo. The one place that spells them; see docs/data-model.md.
import { assertName } from '../core/names.js';
import { StoreError } from './errors.js';

export const NAMESPACE = 'refs/orchestrator/';
export const TOPOLOGY_REF = 'refs/orchestrator/topology';
export const TOPOLOGY_PATH = 'topology.yml';
/**
 * The allowed signers of signed records (docs/sharing.md, "Signed records"): shared like the
 * topology; each commit's tree holds `allowed_signers` and `baseline`.
 */
export const SIGNERS_REF = 'refs/orchestrator/signers';
export const SIGNERS_PATH = 'allowed_signers';
/** Beside it: the tips machines vouched for when they turned signing on (history written before). */
export const BASELINE_PATH = 'baseline';

/** One writer: the session's own server (and its client's hooks). */
export function sessionRef(sessionId: string): string {
  return `${NAMESPACE}sessions/${assertName('session id', sessionId)}`;
}

/** One writer per machine: commit ingestion for one member repo. */
export function changesRef(machineId: string, group: string, role: string): string {
  return `${NAMESPACE}changes/${assertName('machine id', machineId)}/${assertName('group', group)}/${assertName('role', role)}`;
}

/** Where `git fetch` puts another machine's refs: never written locally. */
export function remoteNamespace(remote: string): string {
  return `refs/remotes/${assertName('remote', remote)}/orchestrator/`;
}

/**
 * Where `sync` fetches a remote's refs when this machine verifies signatures: outside what readers
 * list, so nothing there is folded until it is verified and its remote-tracking ref moved.
 */
export function incomingNamespace(remote: string): string {
  return `refs/orchestrator-incoming/${assertName('remote', remote)}/`;
}

/** Where pruned refs are kept: outside refs/orchestrator/, so readers and syncs skip them, but `git log` still shows them. */
export const ARCHIVE_NAMESPACE = 'refs/orchestrator-archive/';

/** `refs/orchestrator/<path>` -> `refs/orchestrator-archive/<path>/<stamp>` (stamp: ms). `BAD_REF_NAME` for a ref outside our namespace. */
export function archiveRefFor(ref: string, stamp: number): string {
  if (!ref.startsWith(NAMESPACE)) throw new StoreError('BAD_REF_NAME', `${ref} is not a coordination ref`, { ref });
  return `${ARCHIVE_NAMESPACE}${ref.slice(NAMESPACE.length)}/${stamp}`;
}

/** The live ref an archive entry was taken from, and when (ms); null for a name that is not one. */
export function parseArchiveRef(archived: string): { ref: string; stamp: number } | null {
  if (!archived.startsWith(ARCHIVE_NAMESPACE)) return null;
  const rest = archived.slice(ARCHIVE_NAMESPACE.length);
  const slash = rest.lastIndexOf('/');
  const stamp = Number(rest.slice(slash + 1));
  if (slash < 0 || !Number.isFinite(stamp)) return null;
  return { ref: `${NAMESPACE}${rest.slice(0, slash)}`, stamp };
}
