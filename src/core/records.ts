// The records kept in the coordination repo, and their commit-message encoding.
// Pure: strings in, strings out. The format is described in docs/data-model.md.
import type { ChangeType, Priority, RouteTarget } from './types.js';

export const RECORD_VERSION = 1;
/** Longest summary or description accepted, in characters. */
export const MAX_SUMMARY_CHARS = 2000;
/** Files listed in one change record; the rest are only counted. */
export const MAX_FILES_PER_RECORD = 200;

interface Base {
  v: typeof RECORD_VERSION;
  /** Unique id of this record (also the id users see for events and sync points). */
  id: string;
  group: string;
  role: string;
  /** Session that wrote it; absent for records written by commit ingestion or the CLI. */
  session?: string;
  /** Wall-clock milliseconds, for display and liveness only; never for ordering across machines. */
  at: number;
  /** Lamport clock: 1 + the highest clock the writer had seen. Orders records across machines. */
  clock: number;
}

export interface SessionRegistered extends Base {
  kind: 'session.registered';
  session: string;
  repoPath: string;
  currentTask?: string;
  host: string;
  pid: number;
  /** Identity of the client that started the session (e.g. a Claude Code session id), when known. */
  clientSession?: string;
  /** 'server': the registering process follows the repo's commits itself (no git hook needed). */
  commits?: 'server';
}
export interface SessionHeartbeat extends Base {
  kind: 'session.heartbeat';
  session: string;
  currentTask?: string;
  /** Set when another process takes the session over (a server adopting a session its client's hook registered). */
  host?: string;
  pid?: number;
  /** With host and pid: the process taking over follows the repo's commits itself. */
  commits?: 'server';
}
export interface SessionEnded extends Base {
  kind: 'session.ended';
  session: string;
  reason: string;
}
export interface ChangeEvent extends Base {
  kind: 'event';
  types: ChangeType[];
  summary: string;
  priority: Priority;
  /** Routing decided when the event was written, so later topology edits don't rewrite the past. */
  targets: RouteTarget[];
  source: 'tool' | 'commit' | 'working-tree';
  files?: string[];
  fileCount?: number;
  commit?: { sha: string; subject: string; author: string };
  /** Commit ingestion only: where in the member repo's reflog this record came from (its cursor). */
  ingest?: { worktree: string; entry: string };
  /** Sent to be acknowledged: it stays pending for each target role until a session of it acknowledges it. */
  ackRequired?: boolean;
  /** What changed in the contract files the event carries (src/app/contract-digest.ts). */
  contract?: ContractReport;
}

/** Changes kept per contract file in a record; the rest are counted in `omitted`. */
export const MAX_CONTRACT_CHANGES_PER_FILE = 50;
/** Contract files compared per event; the rest are counted in `ContractReport.skipped`. */
export const MAX_CONTRACT_FILES = 20;

/** One classified change of a contract file (src/contracts ContractChange, texts capped at 200 characters). */
export interface ContractChangeRecord {
  severity: 'breaking' | 'dangerous' | 'safe';
  kind: string;
  where: string;
  message: string;
  /** The topology `exports` name it touches. */
  exportName?: string;
  /** The same change seen again through a `$ref`: left out of digests. */
  repeat?: true;
}

/** One contract file of an event: its diff, or why it was not compared. */
export interface ContractFileReport {
  /** Repository-relative path after the change (before it, for a deletion). */
  path: string;
  /** The path before a rename. */
  oldPath?: string;
  /** openapi, swagger, asyncapi, jsonschema, graphql, protobuf, prisma, sql, typescript; null when unknown. */
  format: string | null;
  breaking: boolean;
  /** This file's digest, at most 400 bytes. */
  digest: string;
  /** Breaking first; at most MAX_CONTRACT_CHANGES_PER_FILE. Absent when not compared. */
  changes?: ContractChangeRecord[];
  /** Changes left out of `changes` for size. */
  omitted?: number;
  /** Why the file was not compared (unknown format, too large, does not parse, out of time). */
  notCompared?: string;
}

/**
 * The contract part of an event. `digest` is what an update line shows; `files` is the full
 * diff (`get_update`, `log --show`). Classification sources: `breakingFrom` lists what made the
 * event `breaking_change` (`diff`: a breaking change found by the diff; `message`: the commit
 * message or the announced type said so; `patterns`: a member's `breaking_change` file pattern).
 */
export interface ContractReport {
  /** At most 400 bytes: `DELETE /v1/login removed (breaking); +email (safe)`, per file when several. */
  digest: string;
  /** True when a diff found a breaking change. */
  breaking: boolean;
  breakingFrom: Array<'diff' | 'message' | 'patterns'>;
  /** The message claims breaking, every contract file was compared, and none has a breaking change. */
  claimUnconfirmed?: true;
  /** What was compared: a commit against its first parent, or the working tree against HEAD. */
  compared: 'commit' | 'working-tree';
  /** The commit compared against (the first parent, or HEAD), when there was one. */
  base?: string;
  files: ContractFileReport[];
  /** Contract files of the change beyond MAX_CONTRACT_FILES, not compared. */
  skipped?: number;
  /** Names from the member's topology `exports` that the changes touch. */
  exports?: string[];
  /** Other members whose tracked files mention those names (git grep), with the names each mentions. */
  consumers?: Array<{ role: string; names: string[] }>;
}
export interface UpdatesDelivered extends Base {
  kind: 'delivered';
  session: string;
  eventIds: string[];
  /** Sync points shown beside the updates (each shown once this way; they stay pending until acknowledged). */
  syncPointIds?: string[];
}
/** A session says it handled updates (for its role), optionally with a note for the senders. */
export interface UpdatesAcknowledged extends Base {
  kind: 'acknowledged';
  session: string;
  eventIds: string[];
  note?: string;
}
/**
 * What a client's hooks already showed the session (so they show each update and sync point once).
 * Unlike `delivered`, the updates stay pending: get_cross_project_updates still returns them.
 */
export interface UpdatesAnnounced extends Base {
  kind: 'announced';
  session: string;
  eventIds: string[];
  syncPointIds: string[];
}
export interface SyncRequested extends Base {
  kind: 'sync.requested';
  session: string;
  syncPointId: string;
  description: string;
  participants: string[];
  /** Wall-clock ms after which an unresolved sync point is expired. */
  expiresAt: number;
}
export interface SyncAcknowledged extends Base {
  kind: 'sync.acknowledged';
  session: string;
  syncPointId: string;
  note?: string;
}
export interface WorkingTreeChanged extends Base {
  kind: 'worktree';
  session: string;
  files: string[];
  fileCount: number;
  types: ChangeType[];
}
export interface TopologyChanged extends Base {
  kind: 'topology';
  action: string;
}

export type OrchestratorRecord =
  | SessionRegistered
  | SessionHeartbeat
  | SessionEnded
  | ChangeEvent
  | UpdatesDelivered
  | UpdatesAcknowledged
  | UpdatesAnnounced
  | SyncRequested
  | SyncAcknowledged
  | WorkingTreeChanged
  | TopologyChanged;

export type RecordKind = OrchestratorRecord['kind'];

const RECORD_TRAILER = 'Orchestrator-Record: ';

/** A record as read back, with where it was found. */
export interface StoredRecord {
  record: OrchestratorRecord;
  /** SHA of the commit that carries it. */
  sha: string;
  ref: string;
}

/** One line a person reads in `git log --oneline`. */
export function subjectOf(record: OrchestratorRecord): string {
  const who = record.session ?? `${record.role}@${record.group}`;
  let text: string;
  switch (record.kind) {
    case 'session.registered':
      text = `${who} registered as ${record.role} in ${record.group}`;
      break;
    case 'session.heartbeat':
      text = `${who} heartbeat${record.currentTask ? `: ${record.currentTask}` : ''}`;
      break;
    case 'session.ended':
      text = `${who} ended (${record.reason})`;
      break;
    case 'event': {
      const to = record.targets.map((t) => t.role).join(', ') || 'nobody';
      text = `${record.role}: ${record.types.join('+')} [${record.priority}] -> ${to}: ${record.summary}`;
      break;
    }
    case 'delivered':
      text = `${who} received ${record.eventIds.length} update(s)`;
      break;
    case 'acknowledged':
      text = `${who} acknowledged ${record.eventIds.join(', ')}${record.note ? `: ${record.note}` : ''}`;
      break;
    case 'announced':
      text = `${who} was shown ${record.eventIds.length} update(s) and ${record.syncPointIds.length} sync point(s)`;
      break;
    case 'sync.requested':
      text = `${who} requests sync point ${record.syncPointId} with ${record.participants.join(', ')}: ${record.description}`;
      break;
    case 'sync.acknowledged':
      text = `${who} acknowledged sync point ${record.syncPointId}`;
      break;
    case 'worktree':
      text = `${who} is editing ${record.fileCount} file(s)${record.types.length ? ` (${record.types.join(', ')})` : ''}`;
      break;
    case 'topology':
      text = `topology: ${record.action}`;
      break;
  }
  return oneLine(text, 120);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Human trailers first (readable in `git log`), the canonical JSON last. */
export function encodeRecordMessage(record: OrchestratorRecord): string {
  const trailers = [`Kind: ${record.kind}`, `Group: ${record.group}`, `Role: ${record.role}`];
  if (record.session) trailers.push(`Session: ${record.session}`);
  if (record.kind === 'event') {
    trailers.push(`Types: ${record.types.join(', ')}`, `Priority: ${record.priority}`);
    trailers.push(`Notify: ${record.targets.map((t) => (t.via.length ? `${t.role} (via ${t.via.join(' > ')})` : t.role)).join(', ') || '-'}`);
    if (record.commit) trailers.push(`Commit: ${record.commit.sha}`);
  }
  if (record.kind === 'sync.requested' || record.kind === 'sync.acknowledged') trailers.push(`Sync-Point: ${record.syncPointId}`);
  if (record.kind === 'acknowledged') trailers.push(`Updates: ${record.eventIds.join(', ')}`);
  trailers.push(`Clock: ${record.clock}`);
  return `${subjectOf(record)}\n\n${trailers.join('\n')}\n${RECORD_TRAILER}${JSON.stringify(record)}\n`;
}

export type DecodeResult =
  | { ok: true; record: OrchestratorRecord }
  | { ok: false; reason: 'not-a-record' | 'newer-version' | 'malformed'; detail: string };

/**
 * The Lamport clock a record message's trailer names, without decoding the record: for a reader
 * that can leave out records by clock alone (log -n N). Undefined when none is found (decode to
 * know why). Inside the trailer's JSON a quote in a string is escaped, so `,"clock":` or
 * `{"clock":` is the record's own field.
 */
export function recordClockHint(message: string): number | undefined {
  const at = message.lastIndexOf(`\n${RECORD_TRAILER}`);
  if (at < 0) return undefined;
  const end = message.indexOf('\n', at + 1);
  const match = /[{,]"clock":(\d+)[,}]/.exec(message.slice(at, end < 0 ? undefined : end));
  return match ? Number(match[1]) : undefined;
}

/** Reads the record out of a commit message. Commits of other tools and future versions are reported, not thrown. */
export function decodeRecordMessage(message: string): DecodeResult {
  const at = message.lastIndexOf(`\n${RECORD_TRAILER}`);
  if (at < 0) return { ok: false, reason: 'not-a-record', detail: 'no Orchestrator-Record trailer' };
  const end = message.indexOf('\n', at + 1);
  const json = message.slice(at + 1 + RECORD_TRAILER.length, end < 0 ? undefined : end);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, reason: 'malformed', detail: (error as Error).message };
  }
  if (typeof value !== 'object' || value === null || typeof (value as { v?: unknown }).v !== 'number') {
    return { ok: false, reason: 'malformed', detail: 'record has no version' };
  }
  const v = (value as { v: number }).v;
  if (v > RECORD_VERSION) return { ok: false, reason: 'newer-version', detail: `record version ${v} is newer than ${RECORD_VERSION}: upgrade claude-orchestrator-mcp` };
  return { ok: true, record: value as OrchestratorRecord };
}

/**
 * Whether a record belongs in a view filtered by group and role: its group (topology records,
 * group `*`, belong to every group), and written by the role or addressed to it (an event's
 * targets, a sync point's participants). Absent filters match everything.
 */
export function recordConcerns(record: OrchestratorRecord, filter: { group?: string | undefined; role?: string | undefined }): boolean {
  if (filter.group && record.group !== filter.group && record.group !== '*') return false;
  if (!filter.role || record.role === filter.role) return true;
  const role = filter.role;
  return (record.kind === 'event' && record.targets.some((t) => t.role === role)) || (record.kind === 'sync.requested' && record.participants.includes(role));
}
