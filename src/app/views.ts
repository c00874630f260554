// What the tools return: records and folded state in the contract's shapes.
import type { ChangeEvent } from '../core/records.js';
import type { SessionStatus } from '../core/state/sessions.js';
import type { SyncPointState } from '../core/state/syncpoints.js';
import type { ChangeType, Priority } from '../core/types.js';

export type { SessionStatus } from '../core/state/sessions.js';

export const iso = (ms: number): string => new Date(ms).toISOString();

export interface SessionView {
  sessionId: string;
  role: string;
  repoPath: string;
  currentTask: string | null;
  status: SessionStatus;
  lastHeartbeat: string;
}

/**
 * One update as a model reads it: nothing said twice. `changeTypes` only when there are several,
 * `fromSession` only when a session sent it (absent: a commit), `viaRoles` only when it came
 * through a dependency chain, `files` at most 20 (`fileCount` when there were more).
 */
export interface UpdateView {
  id: string;
  fromRole: string;
  fromSession?: string;
  changeType: ChangeType;
  changeTypes?: ChangeType[];
  priority: Priority;
  summary: string;
  timestamp: string;
  files?: string[];
  fileCount?: number;
  commit?: string;
  viaRoles?: string[];
  /** The sender asked for an acknowledgement: it is returned until your role acknowledges it. */
  ackRequired?: true;
  /** Other update ids this one stands for (a commit and the announcement describing it), delivered with it. */
  sameAs?: string[];
  /** The contract diff's digest (at most 400 bytes); the full diff: get_update / `log --show`. */
  contract?: string;
  /** Exported names the change touches that this role's code mentions (it consumes them). */
  uses?: string[];
}

/** A sync point waiting on a session's role: always pending; `remaining` names who else must acknowledge. */
export interface WaitingSyncPointView {
  syncPointId: string;
  description: string;
  fromRole: string;
  remaining: string[];
  expiresAt: string;
}

/** A sync point a session's role requested, with how far it got. */
export interface RequestedSyncPointView {
  syncPointId: string;
  description: string;
  acknowledgedBy: string[];
  remaining: string[];
  status: 'pending' | 'resolved' | 'expired';
  expiresAt: string;
}

export function waitingView(s: SyncPointState): WaitingSyncPointView {
  return { syncPointId: s.syncPointId, description: s.description, fromRole: s.requestedBy.role, remaining: s.remaining, expiresAt: iso(s.expiresAt) };
}

export function requestedView(s: SyncPointState): RequestedSyncPointView {
  return {
    syncPointId: s.syncPointId, description: s.description, acknowledgedBy: s.acknowledgedBy, remaining: s.remaining, status: s.status, expiresAt: iso(s.expiresAt),
  };
}

/** Bytes of file paths one update view lists at most (the rest are counted in `fileCount`). */
const MAX_FILE_BYTES_PER_UPDATE = 1500;

export function updateView(e: ChangeEvent, forRole: string): UpdateView {
  const target = e.targets.find((t) => t.role === forRole);
  const main = e.types.find((t) => t !== 'any_change') ?? e.types[0] ?? 'any_change';
  // Commit records end their summary with the types in brackets; the view says them once.
  const bracket = ` [${e.types.filter((t) => t !== 'any_change').join(', ')}]`;
  const summary = e.source === 'commit' && e.summary.endsWith(bracket) ? e.summary.slice(0, -bracket.length) : e.summary;
  const files: string[] = [];
  let bytes = 0;
  for (const file of (e.files ?? []).slice(0, 20)) {
    bytes += Buffer.byteLength(file) + 3;
    if (bytes > MAX_FILE_BYTES_PER_UPDATE) break;
    files.push(file);
  }
  const total = e.fileCount ?? e.files?.length ?? 0;
  return {
    id: e.id,
    fromRole: e.role,
    ...(e.session ? { fromSession: e.session } : {}),
    changeType: main,
    ...(e.types.filter((t) => t !== 'any_change').length > 1 ? { changeTypes: e.types.filter((t) => t !== 'any_change') } : {}),
    priority: target?.priority ?? e.priority,
    summary,
    timestamp: iso(e.at),
    ...(files.length ? { files } : {}),
    ...(total > files.length ? { fileCount: total } : {}),
    ...(e.commit ? { commit: e.commit.sha } : {}),
    ...(target?.via.length ? { viaRoles: target.via } : {}),
    ...(e.ackRequired ? { ackRequired: true as const } : {}),
    ...contractView(e, forRole),
  };
}

/** The update's contract part: the digest, and the exported names the reading role uses. */
function contractView(e: ChangeEvent, forRole: string): Pick<UpdateView, 'contract' | 'uses'> {
  if (!e.contract) return {};
  const uses = e.contract.consumers?.find((c) => c.role === forRole)?.names;
  return { contract: e.contract.digest, ...(uses?.length ? { uses } : {}) };
}

const STATUS_ORDER: Record<SessionStatus, number> = { active: 0, stale: 1, ended: 2 };
export function sortSessions(views: SessionView[]): SessionView[] {
  return views.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || b.lastHeartbeat.localeCompare(a.lastHeartbeat));
}

/** A sync point's folded state, for adapters that render it (src/core/state/syncpoints.ts). */
export type { SyncPointState } from '../core/state/syncpoints.js';
