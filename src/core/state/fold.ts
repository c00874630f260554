// The one fold of records into state: sessions, deliveries, sync points, per group. Pure: no git,
// no files, no clock. Fed one record at a time, in whatever order records arrive (refs are read
// one after another, and a fetch brings a remote's older records late); every rule below is
// stated in the record order of `../order.ts`, so the same records give the same state in any
// order of application, and a record applied twice changes nothing. The rules are written down
// in docs/data-model.md. One file, over 300 lines, because the rules for each kind of record
// are read together: splitting it would hide how sessions, deliveries and sync points interlock.
import { compareRecords } from '../order.js';
import type { Ordered } from '../order.js';
import type {
  ChangeEvent,
  OrchestratorRecord,
  SessionEnded,
  SessionHeartbeat,
  SessionRegistered,
  SyncAcknowledged,
  SyncRequested,
  UpdatesAcknowledged,
  WorkingTreeChanged,
} from '../records.js';
import type { DeliveryIndex, EventsByRole } from './delivery.js';

/** Everything known of one registered session, from its records in one group. */
export interface SessionFacts {
  /** The latest registration (by record order): role, repo path, client session. */
  registered: SessionRegistered;
  /**
   * The registration delivery counts from: the first of the unbroken run of registrations in
   * the same group and role that ends with `registered`. Re-registering in place (a restart,
   * a revival after an end) keeps it, so updates sent in between stay pending; registering in
   * another group or role starts a new run.
   */
  firstRegistered: SessionRegistered;
  /** The latest heartbeat, by record order. */
  lastHeartbeat?: SessionHeartbeat;
  /** The first end after the latest registration; absent when the session is alive (a registration after an end revives it). */
  ended?: SessionEnded;
  /** Wall clock (ms) of the latest record the session wrote in this group (registration, heartbeat, end, worktree). */
  lastSeenAt: number;
  /** From the latest registration or heartbeat (by record order) that names a task. */
  currentTask?: string;
  /** Process owning the session: from the latest registration or heartbeat (by record order) naming a host and pid. */
  host: string;
  pid: number;
  /** 'server' when that process follows the repo's commits itself (its record said so). */
  commits?: 'server';
  /** The latest working-tree record, by record order. */
  worktree?: WorkingTreeChanged;
}

/**
 * Per update, per recipient role: when it was first delivered and its first acknowledgement.
 * Kept as one flat map per role (update id -> value), not a map per update: a long history has
 * tens of thousands of updates and a handful of roles (bench/mcp.js: ~20 MB less at 100k records).
 */
export class UpdateStates {
  private readonly deliveredAt = new Map<string, Map<string, number>>();
  private readonly acknowledged = new Map<string, Map<string, UpdatesAcknowledged>>();

  /** The states of one update by role (those that had it), or undefined when no role had it. */
  get(eventId: string): ReadonlyMap<string, UpdateRoleState> | undefined {
    let out: Map<string, UpdateRoleState> | undefined;
    for (const [role, byId] of this.deliveredAt) {
      const at = byId.get(eventId);
      if (at === undefined) continue;
      const ack = this.acknowledged.get(role)?.get(eventId);
      (out ??= new Map()).set(role, { deliveredAt: at, ...(ack ? { acknowledged: ack } : {}) });
    }
    return out;
  }

  noteDelivered(eventId: string, role: string, at: number): void {
    let byId = this.deliveredAt.get(role);
    if (!byId) this.deliveredAt.set(role, (byId = new Map()));
    const seen = byId.get(eventId);
    if (seen === undefined || at < seen) byId.set(eventId, at);
  }

  /** The first acknowledgement by record order stands, whatever order records arrive in. */
  noteAcknowledged(eventId: string, role: string, record: UpdatesAcknowledged): void {
    let byId = this.acknowledged.get(role);
    if (!byId) this.acknowledged.set(role, (byId = new Map()));
    const first = byId.get(eventId);
    if (!first || compareRecords(record, first) < 0) byId.set(eventId, record);
  }
}

/** What the recipients of one role did with one update (see `GroupState.updateStates`). */
export interface UpdateRoleState {
  /** Wall clock (ms) of the first `delivered`, `announced` or `acknowledged` record of the role naming it. */
  deliveredAt: number;
  /** The first acknowledgement by a session of the role, by record order. */
  acknowledged?: UpdatesAcknowledged;
}

export interface FoldOptions {
  /**
   * Keep the delivered ids of every session (`true`), or only of the sessions `track`ed
   * (default: a process serving a few sessions of a long history need not hold millions of ids).
   */
  trackAllDeliveries?: boolean;
}

/** What a group has read of one session; `SessionFacts` are derived from it. */
interface SessionRecords {
  /** Registrations, sorted by record order. Under a `CoordinationState` they include other groups'. */
  registrations: SessionRegistered[];
  /** Ends in this group, sorted by record order. */
  ends: SessionEnded[];
  lastHeartbeat?: SessionHeartbeat;
  worktree?: WorkingTreeChanged;
  task?: { from: Ordered; value: string };
  owner?: { from: Ordered; host: string; pid: number; commits?: 'server' };
  lastSeenAt: number;
}

/** The state of one group. Apply records through `CoordinationState` when sessions may move between groups. */
export class GroupState {
  readonly sessions = new Map<string, SessionFacts>();
  /** Per target role, events oldest first by record order. */
  readonly eventsByRole: EventsByRole = new Map();
  readonly eventsById = new Map<string, ChangeEvent>();
  /** Latest events first, per source role, at most 50 (for query_project_state). */
  readonly eventsFromRole = new Map<string, ChangeEvent[]>();
  /**
   * `bySession` holds only the sessions this process serves (see `track`, and
   * `FoldOptions.trackAllDeliveries`): a long history has millions of delivered ids, and only the
   * sessions asking need theirs. `firstByRole` is kept for every role, keyed by the role on the
   * `delivered` record (the writer's role when it read them): it is what lets a new session
   * receive what its role never got.
   */
  readonly deliveries: DeliveryIndex = { bySession: new Map(), firstByRole: new Map(), acknowledgedByRole: new Map() };
  /**
   * Per update id, per recipient role: when a session of the role first had it (returned by a
   * tool or shown by a hook; wall clock ms) and the first acknowledgement, by record order. What
   * a sender sees as delivery states (docs/data-model.md, Delivery).
   */
  readonly updateStates = new UpdateStates();
  /** Per sync point id, the first request by record order: should an id be requested twice, the first stands. */
  readonly syncRequests = new Map<string, SyncRequested>();
  /** Per sync point id, its acknowledgements (each once), sorted by record order. */
  readonly syncAcks = new Map<string, SyncAcknowledged[]>();
  /** Per session: ids of the updates and sync points its client's hooks already showed it. */
  readonly announced = new Map<string, Set<string>>();
  /**
   * Per served session (and the registration clock it was computed for): where its scan of its
   * role's events may start. Lowered when an older event is inserted (a fetch from another machine).
   */
  readonly scanFrom = new Map<string, { role: string; clock: number; index: number }>();

  private readonly read = new Map<string, SessionRecords>();
  private readonly trackAll: boolean;

  constructor(
    readonly name: string,
    options: FoldOptions = {},
  ) {
    this.trackAll = options.trackAllDeliveries ?? false;
  }

  /** Folds one record of this group in. Records of other groups are the caller's mistake and are ignored. */
  apply(record: OrchestratorRecord): void {
    if (record.group !== this.name) return;
    switch (record.kind) {
      case 'session.registered': {
        const seen = this.recordsOf(record.session);
        if (insertOnce(seen.registrations, record)) this.derive(record.session, seen);
        return;
      }
      case 'session.heartbeat':
      case 'session.ended':
      case 'worktree':
        return this.applySessionRecord(record);
      case 'event':
        return this.applyEvent(record);
      case 'delivered':
        this.applyDelivery(record.session, record.role, record.clock, record.at, record.eventIds, record.syncPointIds);
        return;
      case 'acknowledged': {
        let acked = this.deliveries.acknowledgedByRole!.get(record.role);
        if (!acked) this.deliveries.acknowledgedByRole!.set(record.role, (acked = new Set()));
        for (const id of record.eventIds) {
          acked.add(id);
          this.noteDelivered(id, record.role, record.at);
          this.updateStates.noteAcknowledged(id, record.role, record);
        }
        return;
      }
      case 'announced': {
        for (const id of record.eventIds) this.noteDelivered(id, record.role, record.at);
        let shown = this.announced.get(record.session);
        if (!shown) this.announced.set(record.session, (shown = new Set()));
        for (const id of record.eventIds) shown.add(id);
        for (const id of record.syncPointIds) shown.add(id);
        return;
      }
      case 'sync.requested': {
        const known = this.syncRequests.get(record.syncPointId);
        if (!known || compareRecords(record, known) < 0) this.syncRequests.set(record.syncPointId, record);
        return;
      }
      case 'sync.acknowledged': {
        let list = this.syncAcks.get(record.syncPointId);
        if (!list) this.syncAcks.set(record.syncPointId, (list = []));
        insertOnce(list, record);
        return;
      }
      case 'topology':
        return;
    }
  }

  /**
   * Every registration of a session, in every group, sorted by record order (`CoordinationState`
   * calls this instead of applying registrations, so that a later registration elsewhere hides
   * the session here). The list is read, never changed.
   */
  setRegistrations(sessionId: string, registrations: SessionRegistered[]): void {
    const seen = this.recordsOf(sessionId);
    seen.registrations = registrations;
    this.derive(sessionId, seen);
  }

  /**
   * What this group holds, as plain JSON-able data (see `FoldSnapshot`); `notBefore` (wall-clock
   * ms) leaves out what the retention window drops (see `CoordinationState.snapshot`).
   * Registrations are not here: `CoordinationState` keeps them for every group.
   */
  snapshot(notBefore = -Infinity): GroupSnapshot {
    const events = [...this.eventsById.values()].filter((e) => e.at >= notBefore);
    const keptEvents = new Set(events.map((e) => e.id));
    const clockFloor = events.reduce((min, e) => Math.min(min, e.clock), Infinity);
    const keepSync = (request: SyncRequested) => request.expiresAt >= notBefore || request.at >= notBefore;
    const syncRequests = [...this.syncRequests.values()].filter(keepSync);
    const keptSync = new Set(syncRequests.map((r) => r.syncPointId));
    const sessions: GroupSnapshot['sessions'] = [];
    for (const [id, seen] of this.read) {
      const heard = Math.max(seen.lastSeenAt, ...seen.registrations.filter((r) => r.group === this.name).map((r) => r.at));
      if (heard < notBefore) continue;
      sessions.push({
        id,
        ends: seen.ends,
        ...(seen.lastHeartbeat ? { lastHeartbeat: seen.lastHeartbeat } : {}),
        ...(seen.worktree ? { worktree: seen.worktree } : {}),
        ...(seen.task ? { task: { from: orderOf(seen.task.from), value: seen.task.value } } : {}),
        ...(seen.owner ? { owner: { from: orderOf(seen.owner.from), host: seen.owner.host, pid: seen.owner.pid } } : {}),
        lastSeenAt: Number.isFinite(seen.lastSeenAt) ? seen.lastSeenAt : null,
      });
    }
    const keptSessions = new Set(sessions.map((s) => s.id));
    const compacting = notBefore !== -Infinity;
    return {
      name: this.name,
      sessions,
      events,
      firstByRole: [...this.deliveries.firstByRole].map(([role, ids]) => [
        role,
        // An id of an event not held (not read yet, or older than the window) is kept while its
        // first delivery is not older, by clock, than the oldest event kept.
        [...ids].filter(([id, clock]) => !compacting || keptEvents.has(id) || (!this.eventsById.has(id) && clock >= clockFloor)),
      ]),
      acknowledged: [...(this.deliveries.acknowledgedByRole ?? [])].map(([role, ids]) => [role, [...ids].filter((id) => !compacting || keptEvents.has(id) || !this.eventsById.has(id))]),
      syncRequests,
      syncAcks: [...this.syncAcks].filter(([id, acks]) => !compacting || keptSync.has(id) || acks.some((a) => a.at >= notBefore)).map(([, acks]) => acks).flat(),
      announced: [...this.announced]
        .filter(([session]) => !compacting || keptSessions.has(session))
        .map(([session, ids]) => [session, [...ids].filter((id) => !compacting || keptEvents.has(id) || keptSync.has(id))]),
    };
  }

  /** Loads a snapshot into this (new, empty) group; the registrations come from `CoordinationState.restore`. */
  restoreSnapshot(snapshot: GroupSnapshot): void {
    for (const s of snapshot.sessions) {
      const seen = this.recordsOf(s.id);
      seen.ends = s.ends;
      if (s.lastHeartbeat) seen.lastHeartbeat = s.lastHeartbeat;
      if (s.worktree) seen.worktree = s.worktree;
      if (s.task) seen.task = s.task;
      if (s.owner) seen.owner = s.owner;
      seen.lastSeenAt = s.lastSeenAt ?? -Infinity;
    }
    // In the order they first arrived: the same maps, lists and shared copies as the fold built.
    for (const event of snapshot.events) this.applyEvent(event);
    this.addDeliveries(snapshot.firstByRole, snapshot.acknowledged ?? []);
    for (const request of snapshot.syncRequests) this.syncRequests.set(request.syncPointId, request);
    for (const ack of snapshot.syncAcks) {
      let list = this.syncAcks.get(ack.syncPointId);
      if (!list) this.syncAcks.set(ack.syncPointId, (list = []));
      list.push(ack);
    }
    for (const [session, ids] of snapshot.announced) this.announced.set(session, new Set(ids));
  }

  /**
   * Folds in what a lean snapshot (`leanSnapshot`) left out: every event and each role's first
   * deliveries and acknowledgements. Safe at any time, also after newer records were folded:
   * events already held are skipped, and a first delivery keeps the lowest clock.
   */
  restoreRest(rest: GroupRest): void {
    for (const event of rest.events) this.applyEvent(event);
    this.addDeliveries(rest.firstByRole, rest.acknowledged);
  }

  private addDeliveries(firstByRole: GroupSnapshot['firstByRole'], acknowledged: GroupSnapshot['acknowledged']): void {
    for (const [role, ids] of firstByRole) {
      let first = this.deliveries.firstByRole.get(role);
      if (!first) this.deliveries.firstByRole.set(role, (first = new Map()));
      for (const [parsed, clock] of ids) {
        const id = this.eventsById.get(parsed)?.id ?? parsed;
        const seen = first.get(id);
        if (seen === undefined || clock < seen) first.set(id, clock);
      }
    }
    for (const [role, ids] of acknowledged) {
      let acked = this.deliveries.acknowledgedByRole!.get(role);
      if (!acked) this.deliveries.acknowledgedByRole!.set(role, (acked = new Set()));
      for (const id of ids) acked.add(this.eventsById.get(id)?.id ?? id);
    }
  }

  /** Recomputes a session's facts after `restore` set its registrations and records. */
  rederive(sessionId: string): void {
    const seen = this.read.get(sessionId);
    if (seen) this.derive(sessionId, seen);
  }

  roleOfSession(sessionId: string): string | undefined {
    return this.sessions.get(sessionId)?.registered.role;
  }

  /** Starts keeping the delivered ids of a session this process serves, from what it had read so far. */
  track(sessionId: string, delivered: Iterable<string>): void {
    const had = this.deliveries.bySession.get(sessionId) ?? new Set<string>();
    for (const id of delivered) had.add(id);
    this.deliveries.bySession.set(sessionId, had);
  }

  isTracked(sessionId: string): boolean {
    return this.deliveries.bySession.has(sessionId);
  }

  private recordsOf(sessionId: string): SessionRecords {
    let seen = this.read.get(sessionId);
    if (!seen) this.read.set(sessionId, (seen = { registrations: [], ends: [], lastSeenAt: -Infinity }));
    return seen;
  }

  private applySessionRecord(record: SessionHeartbeat | SessionEnded | WorkingTreeChanged): void {
    const seen = this.recordsOf(record.session);
    seen.lastSeenAt = Math.max(seen.lastSeenAt, record.at);
    if (record.kind === 'session.heartbeat') {
      if (!seen.lastHeartbeat || compareRecords(record, seen.lastHeartbeat) > 0) seen.lastHeartbeat = record;
      if (record.currentTask !== undefined) laterTask(seen, record, record.currentTask);
      // A heartbeat naming a host and pid hands the session to that process (a takeover).
      if (record.host !== undefined && record.pid !== undefined) laterOwner(seen, record, record.host, record.pid, record.commits);
    } else if (record.kind === 'session.ended') {
      insertOnce(seen.ends, record);
    } else if (!seen.worktree || compareRecords(record, seen.worktree) > 0) {
      seen.worktree = record;
    }
    this.derive(record.session, seen);
  }

  /** Recomputes a session's facts from what was read; updates the facts object in place. */
  private derive(sessionId: string, seen: SessionRecords): void {
    const regs = seen.registrations;
    const latest = regs[regs.length - 1];
    if (!latest || latest.group !== this.name) {
      // Never registered, or its latest registration is in another group: not a session of ours.
      this.sessions.delete(sessionId);
      return;
    }
    let first = latest;
    for (let i = regs.length - 2; i >= 0 && regs[i]!.group === latest.group && regs[i]!.role === latest.role; i--) first = regs[i]!;
    let task = seen.task;
    let owner = seen.owner;
    let lastSeenAt = seen.lastSeenAt;
    for (const reg of regs) {
      if (reg.group !== this.name) continue;
      lastSeenAt = Math.max(lastSeenAt, reg.at);
      if (reg.currentTask !== undefined && (!task || compareRecords(reg, task.from) > 0)) task = { from: reg, value: reg.currentTask };
      if (!owner || compareRecords(reg, owner.from) > 0) owner = { from: reg, host: reg.host, pid: reg.pid, ...(reg.commits ? { commits: reg.commits } : {}) };
    }
    const ended = seen.ends.find((end) => compareRecords(end, latest) > 0);
    const next: SessionFacts = {
      registered: latest,
      firstRegistered: first,
      ...(seen.lastHeartbeat ? { lastHeartbeat: seen.lastHeartbeat } : {}),
      ...(ended ? { ended } : {}),
      lastSeenAt,
      ...(task ? { currentTask: task.value } : {}),
      host: owner!.host,
      pid: owner!.pid,
      ...(owner!.commits ? { commits: owner!.commits } : {}),
      ...(seen.worktree ? { worktree: seen.worktree } : {}),
    };
    const facts = this.sessions.get(sessionId);
    if (!facts) {
      this.sessions.set(sessionId, next);
      return;
    }
    // In place: callers hold on to a served session's facts.
    for (const key of ['lastHeartbeat', 'ended', 'currentTask', 'worktree', 'commits'] as const) if (!(key in next)) delete facts[key];
    Object.assign(facts, next);
  }

  private applyEvent(full: ChangeEvent): void {
    // The same event can arrive twice: through a remote copy of a ref, or re-read after this
    // process wrote it. Delivering it twice would be a bug; counting it once is enough.
    if (this.eventsById.has(full.id)) return;
    // Updates show at most 20 files; a commit's full list stays in its record. Routing results
    // repeat across thousands of events: share one copy of each.
    const event: ChangeEvent = {
      ...full,
      targets: this.shared(full.targets),
      types: this.shared(full.types),
      ...(full.files && full.files.length > 20 ? { files: full.files.slice(0, 20) } : {}),
    };
    this.eventsById.set(event.id, event);
    for (const role of new Set(event.targets.map((t) => t.role))) {
      const at = insertSorted(this.eventsByRole, role, event);
      for (const mark of this.scanFrom.values()) if (mark.role === role && at < mark.index) mark.index = at;
    }
    let fromRole = this.eventsFromRole.get(event.role);
    if (!fromRole) this.eventsFromRole.set(event.role, (fromRole = []));
    // Latest first, the 50 latest by record order: the same whatever order events arrive in.
    let i = 0;
    while (i < fromRole.length && compareRecords(fromRole[i]!, event) > 0) i++;
    if (i < EVENTS_FROM_ROLE) {
      fromRole.splice(i, 0, event);
      if (fromRole.length > EVENTS_FROM_ROLE) fromRole.length = EVENTS_FROM_ROLE;
    }
  }

  private noteDelivered(eventId: string, role: string, at: number): void {
    // Key by the event's own id string when the event is known: one string, not one per record.
    this.updateStates.noteDelivered(this.eventsById.get(eventId)?.id ?? eventId, role, at);
  }

  /** `role` is the delivering session's: every record carries its writer's role. */
  /** Also notes each update's first delivery time for the role (`updateStates`), in the same pass over the ids. */
  private applyDelivery(sessionId: string, role: string, clock: number, at: number, eventIds: readonly string[], syncPointIds: readonly string[] = []): void {
    const { bySession, firstByRole } = this.deliveries;
    let had = bySession.get(sessionId);
    if (!had && this.trackAll) bySession.set(sessionId, (had = new Set()));
    // Sync points shown beside updates: kept with the session's ids (their ids never clash), so each shows once.
    for (const id of syncPointIds) had?.add(id);
    let first = firstByRole.get(role);
    if (!first) firstByRole.set(role, (first = new Map()));
    for (const parsed of eventIds) {
      // Key by the event's own id string when the event is known: one string, not one per delivery.
      const id = this.eventsById.get(parsed)?.id ?? parsed;
      had?.add(id);
      const seen = first.get(id);
      if (seen === undefined || clock < seen) first.set(id, clock);
      this.updateStates.noteDelivered(id, role, at);
    }
  }

  private readonly interned = new Map<string, unknown>();
  private shared<T>(value: T): T {
    // Most values are short lists of strings (types) or of targets; a flat key is cheaper than JSON.
    const key = Array.isArray(value) && value.every((v) => typeof v === 'string') ? `s\u0000${value.join('\u0000')}` : JSON.stringify(value);
    const known = this.interned.get(key);
    if (known !== undefined) return known as T;
    if (this.interned.size < 10_000) this.interned.set(key, value);
    return value;
  }
}

function laterTask(seen: SessionRecords, from: Ordered, value: string): void {
  if (!seen.task || compareRecords(from, seen.task.from) > 0) seen.task = { from, value };
}

function laterOwner(seen: SessionRecords, from: Ordered, host: string, pid: number, commits?: 'server'): void {
  if (!seen.owner || compareRecords(from, seen.owner.from) > 0) seen.owner = { from, host, pid, ...(commits ? { commits } : {}) };
}

/** Inserts a record into a list sorted by record order, unless a record with its id is there. Returns whether it went in. */
function insertOnce<R extends Ordered>(list: R[], record: R): boolean {
  let i = list.length;
  while (i > 0 && compareRecords(list[i - 1]!, record) > 0) i--;
  if (list.some((r) => r.id === record.id)) return false;
  list.splice(i, 0, record);
  return true;
}

/** How many of each source role's latest events `eventsFromRole` keeps. */
const EVENTS_FROM_ROLE = 50;

/** Keeps each role's list oldest first; records mostly arrive in order, so this is cheap. Returns where it went. */
function insertSorted(byRole: EventsByRole, role: string, event: ChangeEvent): number {
  let list = byRole.get(role);
  if (!list) byRole.set(role, (list = []));
  let i = list.length;
  while (i > 0 && compareRecords(list[i - 1]!, event) > 0) i--;
  list.splice(i, 0, event);
  return i;
}

/**
 * All groups' state. A session belongs to the group of its latest registration (by record
 * order): registering in another group moves it there, and it is no longer listed in the group
 * it left.
 */
export class CoordinationState {
  private readonly groups = new Map<string, GroupState>();
  /** Every registration of each session, in every group, sorted by record order. */
  private readonly registrations = new Map<string, SessionRegistered[]>();

  constructor(private readonly options: FoldOptions = {}) {}

  group(name: string): GroupState {
    let state = this.groups.get(name);
    if (!state) this.groups.set(name, (state = new GroupState(name, this.options)));
    return state;
  }

  apply(record: OrchestratorRecord): void {
    if (record.kind === 'topology') return;
    if (record.kind !== 'session.registered') return this.group(record.group).apply(record);
    let list = this.registrations.get(record.session);
    if (!list) this.registrations.set(record.session, (list = []));
    if (!insertOnce(list, record)) return;
    for (const name of new Set(list.map((r) => r.group))) this.group(name).setRegistrations(record.session, list);
  }

  /**
   * The folded state as plain JSON-able data: a checkpoint. `CoordinationState.restore` of it,
   * then folding more records, gives the same state as folding all of them (tested in
   * test/core.checkpoint.test.ts). Not included: delivered ids of tracked sessions (a process
   * loads those of the sessions it serves) and served sessions' scan marks.
   *
   * `notBefore` (wall-clock ms) compacts it to the retention window: events older than it,
   * sessions not heard from since, sync points that expired before it (and their
   * acknowledgements) are left out, so records older than the window stop costing anything.
   */
  snapshot(notBefore = -Infinity): FoldSnapshot {
    const groups = [...this.groups.values()].map((g) => g.snapshot(notBefore));
    const kept = new Set(groups.flatMap((g) => g.sessions.map((s) => s.id)));
    const registrations: FoldSnapshot['registrations'] = [];
    for (const [session, list] of this.registrations) {
      if (notBefore !== -Infinity && !kept.has(session) && !list.some((r) => r.at >= notBefore)) continue;
      registrations.push([session, list]);
    }
    return { format: SNAPSHOT_FORMAT, registrations, groups };
  }

  /** A state from `snapshot()` (possibly through JSON). Throws on a snapshot of another format. */
  static restore(snapshot: FoldSnapshot, options: FoldOptions = {}): CoordinationState {
    return new CoordinationState(options).load(snapshot);
  }

  /**
   * Loads a snapshot into this state, which must be empty (nothing applied yet): a process that
   * built its state object before finding its checkpoint. Throws on a snapshot of another format.
   */
  load(snapshot: FoldSnapshot): this {
    if (snapshot.format !== SNAPSHOT_FORMAT) throw new Error(`fold snapshot format ${String(snapshot.format)} is not ${SNAPSHOT_FORMAT}`);
    if (this.groups.size > 0 || this.registrations.size > 0) throw new Error('a fold snapshot loads only into an empty state');
    const state = this;
    for (const g of snapshot.groups) state.group(g.name).restoreSnapshot(g);
    for (const [session, list] of snapshot.registrations) {
      state.registrations.set(session, list);
      for (const name of new Set(list.map((r) => r.group))) state.group(name).setRegistrations(session, list);
    }
    // Sessions with records but no registration here keep their records for a registration to come.
    for (const g of snapshot.groups) for (const s of g.sessions) state.group(g.name).rederive(s.id);
    return this;
  }

  /** Folds in the parts a lean snapshot left out, per group name (see `GroupState.restoreRest`). */
  restoreRest(rest: Map<string, GroupRest>): void {
    for (const [name, part] of rest) this.group(name).restoreRest(part);
  }

  /** Every group some record named. */
  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** Sessions a client session started (e.g. one Claude Code session id), in every group, latest registration first. */
  sessionsOfClient(clientSession: string): Array<{ group: GroupState; facts: SessionFacts }> {
    const out: Array<{ group: GroupState; facts: SessionFacts }> = [];
    for (const group of this.groups.values()) {
      for (const facts of group.sessions.values()) {
        if (facts.registered.clientSession === clientSession) out.push({ group, facts });
      }
    }
    return out.sort((a, b) => compareRecords(b.facts.registered, a.facts.registered));
  }

  /** The group a session belongs to (its latest registration's), if it is known. */
  findSession(sessionId: string): { group: GroupState; facts: SessionFacts } | undefined {
    for (const group of this.groups.values()) {
      const facts = group.sessions.get(sessionId);
      if (facts) return { group, facts };
    }
    return undefined;
  }
}

/** Bumped when the snapshot's shape changes: an older checkpoint is then not used (2: `acknowledged`). */
export const SNAPSHOT_FORMAT = 2;

/** One group's part of a `FoldSnapshot`. Records are stored as they were folded. */
export interface GroupSnapshot {
  name: string;
  /** What the group read of each session (its registrations are in `FoldSnapshot.registrations`). */
  sessions: Array<{
    id: string;
    ends: SessionEnded[];
    lastHeartbeat?: SessionHeartbeat;
    worktree?: WorkingTreeChanged;
    task?: { from: Ordered; value: string };
    owner?: { from: Ordered; host: string; pid: number };
    /** null: nothing but registrations heard (JSON has no -Infinity). */
    lastSeenAt: number | null;
  }>;
  /** Events in the order they were first folded. */
  events: ChangeEvent[];
  /** Per role, the lowest clock at which a session of it received each event id. */
  firstByRole: Array<[string, Array<[string, number]>]>;
  /** Per role, the ids of the updates a session of it acknowledged. */
  acknowledged: Array<[string, string[]]>;
  syncRequests: SyncRequested[];
  syncAcks: SyncAcknowledged[];
  announced: Array<[string, string[]]>;
}

/** The folded state of every group, as `CoordinationState.snapshot` returns it. */
export interface FoldSnapshot {
  format: number;
  /** Every registration of each session, sorted by record order. */
  registrations: Array<[string, SessionRegistered[]]>;
  groups: GroupSnapshot[];
}

/** What `leanSnapshot` leaves out of a group: restored later, if ever, by `GroupState.restoreRest`. */
export interface GroupRest {
  events: ChangeEvent[];
  firstByRole: GroupSnapshot['firstByRole'];
  acknowledged: GroupSnapshot['acknowledged'];
}

/**
 * Splits a group's snapshot in two: a lean part that holds every event still pending for a
 * session that registers from now on (no session of some target role has had it, or it waits for
 * an acknowledgement the role has not given) and the `recent` latest events of each source role,
 * with only those events' deliveries and acknowledgements; and the rest (every event, every
 * delivery). A state restored from the lean part answers what new sessions are sent, the recent
 * updates of a role and everything about sessions and sync points; a session registered before
 * the snapshot needs the rest too. Events keep their arrival order. Pure.
 */
export function leanSnapshot(group: GroupSnapshot, recent = EVENTS_FROM_ROLE): { lean: GroupSnapshot; rest: GroupRest } {
  const first = new Map(group.firstByRole.map(([role, ids]) => [role, new Set(ids.map(([id]) => id))]));
  const acked = new Map(group.acknowledged.map(([role, ids]) => [role, new Set(ids)]));
  const keep = new Set<string>();
  for (const e of group.events) {
    for (const { role } of e.targets) {
      if (e.ackRequired ? !acked.get(role)?.has(e.id) : !first.get(role)?.has(e.id)) keep.add(e.id);
    }
  }
  const bySource = new Map<string, ChangeEvent[]>();
  for (const e of group.events) {
    let list = bySource.get(e.role);
    if (!list) bySource.set(e.role, (list = []));
    list.push(e);
  }
  for (const list of bySource.values()) for (const e of list.sort((a, b) => compareRecords(b, a)).slice(0, recent)) keep.add(e.id);
  // Deliveries of events not held (not read yet: a remote's, arriving later) stay in the lean part too.
  const held = new Set(group.events.map((e) => e.id));
  const wanted = (id: string) => keep.has(id) || !held.has(id);
  const lean: GroupSnapshot = {
    ...group,
    events: group.events.filter((e) => keep.has(e.id)),
    firstByRole: group.firstByRole.map(([role, ids]) => [role, ids.filter(([id]) => wanted(id))]),
    acknowledged: group.acknowledged.map(([role, ids]) => [role, ids.filter(wanted)]),
  };
  return { lean, rest: { events: group.events, firstByRole: group.firstByRole, acknowledged: group.acknowledged } };
}

function orderOf(from: Ordered): Ordered {
  return { clock: from.clock, at: from.at, id: from.id };
}
