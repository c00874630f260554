// Ref names of the coordination repo. The one place that spells them; see docs/data-model.md.
import { assertName } from '../core/names.js';

export const NAMESPACE = 'refs/orchestrator/';
export const TOPOLOGY_REF = 'refs/orchestrator/topology';
export const TOPOLOGY_PATH = 'topology.yml';

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
