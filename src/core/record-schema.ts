// What a record may hold, checked where it is written (the store's append) and where it is read
// (the store's decode path), and who may say it (authority by ref). Pure and dependency-free, so
// the short-lived hooks pay nothing to load it (no schema library). Rules: docs/data-model.md,
// "Validation and authority"; the trust model: docs/sharing.md.
import { MAX_CONTRACT_CHANGES_PER_FILE, MAX_CONTRACT_FILES, MAX_FILES_PER_RECORD, MAX_SUMMARY_CHARS, RECORD_VERSION, type OrchestratorRecord } from './records.js';
import { CHANGE_TYPES, PRIORITIES } from './types.js';

/** Largest clock accepted: far beyond any real count, and +1 stays exact (a forged 1e308 would stop the clock). */
export const MAX_CLOCK = 2 ** 48;

/**
 * The Lamport clock a writer stamps after seeing `seen` (the highest clock read): `seen + 1`,
 * saturating at MAX_CLOCK. A forged clock near the bound then costs only order among records at
 * the bound (ties broken by time and id), never every later write (a clock over the bound would
 * make each of them invalid).
 */
export function nextClock(seen: number): number {
  return Math.min(seen + 1, MAX_CLOCK);
}
/** Largest encoded record accepted, in bytes of JSON (a 2,000-character summary plus 200 paths fits easily). */
export const MAX_RECORD_BYTES = 256 * 1024;
/** Longest name-like field (ids, groups, roles, hosts), in characters. */
const MAX_NAME = 200;
/** Longest path or commit field, in characters. */
const MAX_PATH = 4096;
/** Most ids in one delivered/announced record, participants, targets, vias. */
const MAX_IDS = 10_000;
const MAX_LIST = 200;

/** C0 and C1 controls, DEL, and the Unicode bidi controls that reorder what a terminal shows. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Every control character (C0 but newline and tab, C1, DEL, bidi controls) replaced by its
 * visible escape (`\u001b`): safe to print on a terminal, and what git fsck accepts.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL_BUT_LAYOUT, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Text from another session, made fit to show a model or a terminal as data: control characters
 * escaped, every run of whitespace (newlines included) one space, `<` and `>` replaced by `‹ ›` so
 * it cannot open or close a tag of ours, and cut at `max` characters with `…`.
 */
export function untrustedText(text: unknown, max = 160): string {
  const flat = escapeControl(String(text ?? '').replace(/\s+/g, ' ')).replace(/</g, '‹').replace(/>/g, '›').trim();
  return flat.length > max ? `${flat.slice(0, Math.max(0, max - 1))}…` : flat;
}

/** Text fields a writer fills from user input: control characters (but newline and tab) replaced by U+FFFD. */
export function sanitizeText(text: string): string {
  return text.replace(CONTROL_BUT_LAYOUT, '\ufffd');
}

/** The record with every free-text field sanitized (`sanitizeText`); the rest unchanged. */
export function sanitizeRecord<R extends OrchestratorRecord>(record: R): R {
  const out = { ...record } as Record<string, unknown>;
  for (const key of ['summary', 'description', 'note', 'currentTask', 'reason', 'action']) {
    if (typeof out[key] === 'string') out[key] = sanitizeText(out[key] as string);
  }
  if (record.kind === 'event' && record.commit) {
    out.commit = { ...record.commit, subject: sanitizeText(record.commit.subject), author: sanitizeText(record.commit.author) };
  }
  return out as R;
}

type Check = (value: unknown) => string | null;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(max: number, layout = false): Check {
  return (v) => {
    if (typeof v !== 'string') return `is ${describe(v)}, not a string`;
    if (v.length > max) return `is ${v.length} characters long (at most ${max})`;
    // `search` ignores a global regex's lastIndex and allocates nothing when the text is clean.
    const at = v.search(layout ? CONTROL_BUT_LAYOUT : CONTROL);
    if (at >= 0) return `holds the control character U+${v.charCodeAt(at).toString(16).padStart(4, '0')}`;
    return null;
  };
}
const name = str(MAX_NAME);
const text = str(MAX_SUMMARY_CHARS, true);
const path = str(MAX_PATH);
function int(min: number, max: number): Check {
  return (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? null : `is ${describe(v)}, not an integer from ${min} to ${max}`);
}
function oneOf(values: readonly string[]): Check {
  return (v) => (typeof v === 'string' && values.includes(v) ? null : `is ${describe(v)}, not one of ${values.join(', ')}`);
}
function list(item: Check, max: number): Check {
  return (v) => {
    if (!Array.isArray(v)) return `is ${describe(v)}, not a list`;
    if (v.length > max) return `has ${v.length} entries (at most ${max})`;
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i]);
      if (problem) return `[${i}] ${problem}`;
    }
    return null;
  };
}
function shape(fields: Record<string, Check>, optional: Record<string, Check> = {}): Check {
  return (v) => {
    if (!isObject(v)) return `is ${describe(v)}, not an object`;
    for (const [key, check] of Object.entries(fields)) {
      const problem = check(v[key]);
      if (problem) return `${key} ${problem}`;
    }
    for (const [key, check] of Object.entries(optional)) {
      if (v[key] === undefined) continue;
      const problem = check(v[key]);
      if (problem) return `${key} ${problem}`;
    }
    return null;
  };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return v.length > 20 ? 'a long string' : JSON.stringify(v);
  if (typeof v === 'number') return String(v).slice(0, 24);
  return typeof v;
}

const BASE: Record<string, Check> = {
  id: name,
  group: (v) => (v === '*' ? null : name(v)),
  role: name,
  at: int(0, 8.64e15),
  clock: int(0, MAX_CLOCK),
};
const target = shape({ role: name, via: list(name, MAX_LIST), priority: oneOf(PRIORITIES) });
const bool: Check = (v) => (typeof v === 'boolean' ? null : `is ${describe(v)}, not true or false`);
const yes: Check = (v) => (v === true ? null : `is ${describe(v)}, not true`);
/** A contract diff's texts (digests, change lines) are read by models: bounded and free of control characters. */
const digest = str(2_000);
const contractChange = shape(
  { severity: oneOf(['breaking', 'dangerous', 'safe']), kind: str(200), where: str(400), message: str(400) },
  { exportName: name, repeat: yes },
);
const contractFile = shape(
  { path, breaking: bool, digest },
  { oldPath: path, format: (v) => (v === null ? null : name(v)), changes: list(contractChange, MAX_CONTRACT_CHANGES_PER_FILE), omitted: int(0, 2 ** 31), notCompared: str(400) },
);
const contract = shape(
  { digest, breaking: bool, breakingFrom: list(oneOf(['diff', 'message', 'patterns']), 3), compared: oneOf(['commit', 'working-tree']), files: list(contractFile, MAX_CONTRACT_FILES) },
  {
    claimUnconfirmed: yes,
    base: name,
    skipped: int(0, 2 ** 31),
    exports: list(name, MAX_LIST),
    consumers: list(shape({ role: name, names: list(name, MAX_LIST) }), MAX_LIST),
  },
);
const changeTypes = list(oneOf(CHANGE_TYPES), CHANGE_TYPES.length * 2);

const KINDS: Record<OrchestratorRecord['kind'], { fields: Record<string, Check>; optional?: Record<string, Check> }> = {
  'session.registered': { fields: { session: name, repoPath: path, host: name, pid: int(0, 2 ** 32) }, optional: { currentTask: text, clientSession: name, commits: oneOf(['server']) } },
  'session.heartbeat': { fields: { session: name }, optional: { currentTask: text, host: name, pid: int(0, 2 ** 32), commits: oneOf(['server']) } },
  'session.ended': { fields: { session: name, reason: text } },
  event: {
    fields: { types: changeTypes, summary: text, priority: oneOf(PRIORITIES), targets: list(target, MAX_LIST), source: oneOf(['tool', 'commit', 'working-tree']) },
    optional: {
      session: name,
      files: list(path, MAX_FILES_PER_RECORD),
      fileCount: int(0, 2 ** 40),
      commit: shape({ sha: name, subject: text, author: text }),
      ingest: shape({ worktree: path, entry: str(MAX_PATH, true) }),
      ackRequired: bool,
      contract,
    },
  },
  delivered: { fields: { session: name, eventIds: list(name, MAX_IDS) }, optional: { syncPointIds: list(name, MAX_IDS) } },
  acknowledged: { fields: { session: name, eventIds: list(name, MAX_IDS) }, optional: { note: text } },
  announced: { fields: { session: name, eventIds: list(name, MAX_IDS), syncPointIds: list(name, MAX_IDS) } },
  'sync.requested': { fields: { session: name, syncPointId: name, description: text, participants: list(name, MAX_LIST), expiresAt: int(0, 8.64e15) } },
  'sync.acknowledged': { fields: { session: name, syncPointId: name }, optional: { note: text } },
  worktree: { fields: { session: name, files: list(path, MAX_FILES_PER_RECORD), fileCount: int(0, 2 ** 40), types: changeTypes } },
  topology: { fields: { action: text }, optional: { session: name } },
};

/** Each kind's whole check, built once (every record read goes through one: 100k at a cold start). */
const CHECKS = Object.fromEntries(
  Object.entries(KINDS).map(([kind, spec]) => [kind, shape({ ...BASE, ...spec.fields }, spec.optional ?? {})]),
) as Record<OrchestratorRecord['kind'], Check>;

/** Why `value` is not a valid record of this version, or null when it is one. */
export function recordProblem(value: unknown): string | null {
  if (!isObject(value)) return `the record is ${describe(value)}, not an object`;
  if (value.v !== RECORD_VERSION) return `v is ${describe(value.v)}, not ${RECORD_VERSION}`;
  const kind = value.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(KINDS, kind)) return `kind ${describe(kind)} is unknown`;
  const problem = CHECKS[kind as OrchestratorRecord['kind']](value);
  return problem ? `${kind} ${value.id && typeof value.id === 'string' ? `${value.id.slice(0, 40)} ` : ''}${problem}` : null;
}

/** The record, checked: `{ ok: true }` or why not. */
export function validateRecord(value: unknown): { ok: true; record: OrchestratorRecord } | { ok: false; detail: string } {
  const problem = recordProblem(value);
  return problem ? { ok: false, detail: problem } : { ok: true, record: value as OrchestratorRecord };
}

/**
 * Whether the ref that carries `record` may speak for it (authority by ref): a session ref only
 * for its own session (its registration, heartbeats, events, deliveries, acknowledgements, end),
 * a changes ref only for events of its group and role without a session, the topology ref (and
 * the signers ref, `refs/orchestrator/signers`) only for topology records. Remote copies
 * (`refs/remotes/<remote>/orchestrator/...`) follow the same rule. Returns why not, or null.
 * Refs outside these namespaces are not judged (null).
 */
export function authorityProblem(ref: string, record: OrchestratorRecord): string | null {
  const local = ref.replace(/^refs\/remotes\/[^/]+\/orchestrator\//, 'refs/orchestrator/');
  if (!local.startsWith('refs/orchestrator/')) return null;
  const parts = local.slice('refs/orchestrator/'.length).split('/');
  if (parts[0] === 'sessions' && parts.length === 2) {
    if (record.kind === 'topology') return `a topology record on session ref ${ref}`;
    return record.session === parts[1] ? null : `${record.kind} of session ${record.session ?? '(none)'} on the ref of session ${parts[1]}`;
  }
  if (parts[0] === 'changes' && parts.length === 4) {
    if (record.kind !== 'event' || record.session !== undefined) return `${record.kind}${record.session ? ` of session ${record.session}` : ''} on changes ref ${ref}`;
    return record.group === parts[2] && record.role === parts[3] ? null : `an event of ${record.role}@${record.group} on changes ref ${ref}`;
  }
  if (local === 'refs/orchestrator/topology') return record.kind === 'topology' ? null : `${record.kind} on the topology ref`;
  // The allowed signers of signed records: shared configuration, like the topology.
  if (local === 'refs/orchestrator/signers') return record.kind === 'topology' ? null : `${record.kind} on the signers ref`;
  return `${record.kind} on ${ref}, which is no ref of ours`;
}
