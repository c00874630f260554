// Records folded into the lookups the tools need, per group. Fed one record at a time by the
// RecordIndex; holds no git, no files, no clock.
import type { DeliveryIndex, EventsByRole } from '../core/delivery.js';
import { compareRecords } from '../core/order.js';
import type {
  ChangeEvent,
  OrchestratorRecord,
  SessionEnded,
  SessionHeartbeat,
  SessionRegistered,
  SyncAcknowledged,
  SyncRequested,
  WorkingTreeChanged,
} from '../core/records.js';

/** Everything known of one session, from its records. */
export interface SessionFacts {
  registered: SessionRegistered;
  lastHeartbeat?: SessionHeartbeat;
  ended?: SessionEnded;
  /** Wall clock of the latest record the session wrote. */
  lastSeenAt: number;
  currentTask?: string;
  host: string;
  pid: number;
  worktree?: WorkingTreeChanged;
}

export class GroupState {
  readonly sessions = new Map<string, SessionFacts>();
  readonly eventsByRole: EventsByRole = new Map();
  readonly eventsById = new Map<string, ChangeEvent>();
  /** Latest events first, per source role (for query_project_state). */
  readonly eventsFromRole = new Map<string, ChangeEvent[]>();
  /**
   * `bySession` holds only the sessions this process serves (see `track`): a long history has
   * millions of delivered ids, and only the sessions asking need theirs. `firstByRole` is kept
   * for every role: it is what lets a new session receive what its role never got.
   */
  readonly deliveries: DeliveryIndex = { bySession: new Map(), firstByRole: new Map() };
  readonly syncRequests = new Map<string, SyncRequested>();
  readonly syncAcks = new Map<string, SyncAcknowledged[]>();
  /** Per session: ids of the updates and sync points its client's hooks already showed it. */
  readonly announced = new Map<string, Set<string>>();
  /** Records of sessions whose registration has not been read yet (refs read out of order). */
  private readonly early = new Map<string, OrchestratorRecord[]>();

  constructor(readonly name: string) {}

  apply(record: OrchestratorRecord): void {
    switch (record.kind) {
      case 'session.registered': {
        const existing = this.sessions.get(record.session);
        const facts: SessionFacts = {
          registered: record,
          lastSeenAt: Math.max(record.at, existing?.lastSeenAt ?? 0),
          currentTask: record.currentTask ?? existing?.currentTask,
          host: record.host,
          pid: record.pid,
        };
        this.sessions.set(record.session, facts);
        for (const waiting of this.early.get(record.session) ?? []) this.apply(waiting);
        this.early.delete(record.session);
        return;
      }
      case 'session.heartbeat':
      case 'session.ended':
      case 'worktree':
        return this.applySessionRecord(record);
      case 'event':
        return this.applyEvent(record);
      case 'delivered':
        return this.applyDelivery(record.session, record.role, record.clock, record.eventIds);
      case 'announced': {
        let shown = this.announced.get(record.session);
        if (!shown) this.announced.set(record.session, (shown = new Set()));
        for (const id of record.eventIds) shown.add(id);
        for (const id of record.syncPointIds) shown.add(id);
        return;
      }
      case 'sync.requested':
        this.syncRequests.set(record.syncPointId, record);
        return;
      case 'sync.acknowledged': {
        const list = this.syncAcks.get(record.syncPointId) ?? [];
        list.push(record);
        this.syncAcks.set(record.syncPointId, list);
        return;
      }
      case 'topology':
        return;
    }
  }

  roleOfSession(sessionId: string): string | undefined {
    return this.sessions.get(sessionId)?.registered.role;
  }

  private applySessionRecord(record: SessionHeartbeat | SessionEnded | WorkingTreeChanged): void {
    const facts = this.sessions.get(record.session);
    if (!facts) {
      const list = this.early.get(record.session) ?? [];
      list.push(record);
      this.early.set(record.session, list);
      return;
    }
    facts.lastSeenAt = Math.max(facts.lastSeenAt, record.at);
    if (record.kind === 'session.heartbeat') {
      if (!facts.lastHeartbeat || record.at >= facts.lastHeartbeat.at) {
        facts.lastHeartbeat = record;
        if (record.currentTask !== undefined) facts.currentTask = record.currentTask;
        if (record.pid !== undefined && record.host !== undefined) {
          facts.pid = record.pid;
          facts.host = record.host;
        }
      }
    } else if (record.kind === 'session.ended') {
      facts.ended ??= record;
    } else if (!facts.worktree || record.at >= facts.worktree.at) {
      facts.worktree = record;
    }
  }

  /**
   * Per served session (and the registration clock it was computed for): where its scan of its
   * role's events may start. Lowered when an older event is inserted (a fetch from another machine).
   */
  readonly scanFrom = new Map<string, { role: string; clock: number; index: number }>();

  /** Starts keeping the delivered ids of a session this process serves, from what it had read so far. */
  track(sessionId: string, delivered: Iterable<string>): void {
    const had = this.deliveries.bySession.get(sessionId) ?? new Set<string>();
    for (const id of delivered) had.add(id);
    this.deliveries.bySession.set(sessionId, had);
  }

  isTracked(sessionId: string): boolean {
    return this.deliveries.bySession.has(sessionId);
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
    const fromRole = this.eventsFromRole.get(event.role) ?? [];
    fromRole.push(event);
    fromRole.sort((a, b) => compareRecords(b, a));
    if (fromRole.length > 50) fromRole.length = 50;
    this.eventsFromRole.set(event.role, fromRole);
  }

  /** `role` is the delivering session's: every record carries its writer's role. */
  private applyDelivery(sessionId: string, role: string, clock: number, eventIds: readonly string[]): void {
    const { bySession, firstByRole } = this.deliveries;
    const had = bySession.get(sessionId);
    let first = firstByRole.get(role);
    if (!first) firstByRole.set(role, (first = new Map()));
    for (const parsed of eventIds) {
      // Key by the event's own id string when the event is known: one string, not one per delivery.
      const id = this.eventsById.get(parsed)?.id ?? parsed;
      had?.add(id);
      const seen = first.get(id);
      if (seen === undefined || clock < seen) first.set(id, clock);
    }
  }

  private readonly interned = new Map<string, unknown>();
  private shared<T>(value: T): T {
    const key = JSON.stringify(value);
    const known = this.interned.get(key);
    if (known !== undefined) return known as T;
    if (this.interned.size < 10_000) this.interned.set(key, value);
    return value;
  }
}

/** Keeps each role's list oldest first; records mostly arrive in order, so this is cheap. Returns where it went. */
function insertSorted(byRole: EventsByRole, role: string, event: ChangeEvent): number {
  let list = byRole.get(role);
  if (!list) byRole.set(role, (list = []));
  let i = list.length;
  while (i > 0 && compareRecords(list[i - 1]!, event) > 0) i--;
  list.splice(i, 0, event);
  return i;
}

/** All groups' state. */
export class CoordinationState {
  private readonly groups = new Map<string, GroupState>();

  group(name: string): GroupState {
    let state = this.groups.get(name);
    if (!state) this.groups.set(name, (state = new GroupState(name)));
    return state;
  }

  apply(record: OrchestratorRecord): void {
    if (record.kind === 'topology') return;
    this.group(record.group).apply(record);
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
    return out.sort((a, b) => b.facts.registered.clock - a.facts.registered.clock);
  }

  /** The group a session belongs to, if it is known. */
  findSession(sessionId: string): { group: GroupState; facts: SessionFacts } | undefined {
    for (const group of this.groups.values()) {
      const facts = group.sessions.get(sessionId);
      if (facts) return { group, facts };
    }
    return undefined;
  }
}
