// What the tools return: records and folded state in the contract's shapes.
import type { ChangeEvent } from '../core/records.js';
import type { SyncPointState } from '../core/state/syncpoints.js';
import type { ChangeType, Priority } from '../core/types.js';

export const iso = (ms: number): string => new Date(ms).toISOString();

export type SessionStatus = 'active' | 'stale' | 'ended';

export interface SessionView {
  sessionId: string;
  role: string;
  repoPath: string;
  currentTask: string | null;
  status: SessionStatus;
  lastHeartbeat: string;
}

export interface UpdateView {
  id: string;
  fromRole: string;
  fromSession: string | null;
  changeType: ChangeType;
  changeTypes: ChangeType[];
  priority: Priority;
  summary: string;
  timestamp: string;
  files?: string[];
  commit?: string;
  viaRoles: string[];
  /** The contract diff's digest (at most 400 bytes); the full diff: get_update / `log --show`. */
  contract?: string;
  /** Exported names the change touches that this role's code mentions (it consumes them). */
  uses?: string[];
}

export interface SyncPointView {
  syncPointId: string;
  description: string;
  requestedBy: { sessionId: string; role: string };
  participants: string[];
  acknowledgedBy: string[];
  remaining: string[];
  status: 'pending' | 'resolved' | 'expired';
  expiresAt: string;
}


export function syncView(s: SyncPointState): SyncPointView {
  return {
    syncPointId: s.syncPointId,
    description: s.description,
    requestedBy: { sessionId: s.requestedBy.session, role: s.requestedBy.role },
    participants: s.participants,
    acknowledgedBy: s.acknowledgedBy,
    remaining: s.remaining,
    status: s.status,
    expiresAt: iso(s.expiresAt),
  };
}

export function updateView(e: ChangeEvent, forRole: string): UpdateView {
  const target = e.targets.find((t) => t.role === forRole);
  return {
    id: e.id,
    fromRole: e.role,
    fromSession: e.session ?? null,
    changeType: e.types.find((t) => t !== 'any_change') ?? e.types[0] ?? 'any_change',
    changeTypes: e.types,
    priority: target?.priority ?? e.priority,
    summary: e.summary,
    timestamp: iso(e.at),
    ...(e.files ? { files: e.files.slice(0, 20) } : {}),
    ...(e.commit ? { commit: e.commit.sha } : {}),
    viaRoles: target?.via ?? [],
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
