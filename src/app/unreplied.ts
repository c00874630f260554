// Pages of updates recorded delivered whose reply may never have reached the reader.
//
// get_cross_project_updates writes its `delivered` record before it replies: a process killed
// in between would lose that page for good (delivery at most once). So before the record is
// written, the page is noted in a small file of this machine (`<home>/unreplied/`); the adapter
// removes the note once the reply is written to the client. A note whose writer is gone (or that
// is older than any reply could take) marks a page that may never have been seen: the next reader
// of that group and role is offered it again (pendingPage). A reader may then see a page twice,
// never zero times. The notes hold ids only, and are data of this machine (never shared).
import { lstatSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One page offered to a session and not yet known to have reached it. */
export interface UnrepliedPage {
  v: 1;
  /** The process that wrote the page's `delivered` record. */
  pid: number;
  /** When the note was written, ms since the epoch. */
  at: number;
  group: string;
  role: string;
  session: string;
  eventIds: string[];
  syncPointIds: string[];
}

/** What notes left by processes that are gone offer again to a group and role. */
export interface LostPages {
  eventIds: Set<string>;
  syncPointIds: Set<string>;
  /** The notes they came from: removed once a reply carrying them is written. */
  notes: string[];
}

/** A note written for one page: settle it when the reply is written, drop it when nothing was recorded. */
export interface PageReceipt {
  /** The reply is written: remove this note and the lost notes the page offered again. */
  replied(): void;
  /** Nothing was recorded delivered after all (the write failed): remove this note only. */
  cancel(): void;
}

/** A note older than this is lost even if its pid runs (the pid was reused): no reply takes 10 minutes. */
export const UNREPLIED_STALE_MS = 10 * 60_000;
/** A note larger than this is not one of ours: skipped (and removed). */
const NOTE_MAX_BYTES = 256 * 1024;

/**
 * The notes of one home. `alive(pid)` says whether a process of this host runs; `now()` is the
 * clock in ms. Every error of the file system is swallowed: a note that cannot be written or
 * read costs the re-offer of that page, never the read itself.
 */
export class UnrepliedPages {
  private seq = 0;
  private dirMade = false;

  constructor(
    private readonly dir: string,
    private readonly pid: number,
    private readonly alive: (pid: number) => boolean,
    private readonly now: () => number,
  ) {}

  /** The folder of the notes: `<home>/unreplied`. */
  static under(home: string, pid: number, alive: (pid: number) => boolean, now: () => number): UnrepliedPages {
    return new UnrepliedPages(join(home, 'unreplied'), pid, alive, now);
  }

  /** Notes `page` before its `delivered` record is written; `lost` are the notes it offers again. */
  begin(page: Omit<UnrepliedPage, 'v' | 'pid' | 'at'>, lost: string[] = []): PageReceipt {
    const name = `${this.pid}-${++this.seq}.json`;
    const file = join(this.dir, name);
    const note: UnrepliedPage = { v: 1, pid: this.pid, at: this.now(), ...page };
    let written = false;
    try {
      // Not atomic, on purpose (it is on every read's path): a note torn by a crash was being
      // written before the page's record, so that page was never recorded delivered and is still
      // pending; a torn note is skipped.
      if (!this.dirMade) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.dirMade = true;
      writeFileSync(file, JSON.stringify(note), { mode: 0o600 });
      written = true;
    } catch {
      this.dirMade = false; // removed meanwhile? made again next time
      // A read-only home: the page is delivered at most once, as before.
    }
    const remove = (names: string[]) => {
      for (const n of names) {
        try {
          unlinkSync(join(this.dir, n));
        } catch {
          // Gone already (another reader settled it).
        }
      }
    };
    return {
      replied: () => remove(written ? [name, ...lost] : lost),
      cancel: () => remove(written ? [name] : []),
    };
  }

  /** Pages of `group`/`role` noted by processes that are gone: offered again. */
  lost(group: string, role: string): LostPages {
    const found: LostPages = { eventIds: new Set(), syncPointIds: new Set(), notes: [] };
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return found; // no note was ever written: the usual case
    }
    const now = this.now();
    for (const name of names) {
      const match = /^(\d+)-\d+\.json$/.exec(name);
      if (!match) continue;
      const pid = Number(match[1]);
      if (pid === this.pid) continue; // ours: in flight
      const note = this.read(name);
      if (!note || note.group !== group || note.role !== role) continue;
      if (this.alive(pid) && now - note.at < UNREPLIED_STALE_MS) continue; // its reply may still be on the way
      for (const id of note.eventIds) found.eventIds.add(id);
      for (const id of note.syncPointIds) found.syncPointIds.add(id);
      found.notes.push(name);
    }
    return found;
  }

  private read(name: string): UnrepliedPage | null {
    const file = join(this.dir, name);
    try {
      const stat = lstatSync(file);
      if (!stat.isFile() || stat.size > NOTE_MAX_BYTES) {
        unlinkSync(file);
        return null;
      }
      const note = JSON.parse(readFileSync(file, 'utf8')) as Partial<UnrepliedPage>;
      const strings = (list: unknown) => Array.isArray(list) && list.every((x) => typeof x === 'string');
      if (note.v !== 1 || typeof note.group !== 'string' || typeof note.role !== 'string' || typeof note.at !== 'number' ||
        !strings(note.eventIds) || !strings(note.syncPointIds)) return null;
      return note as UnrepliedPage;
    } catch {
      return null; // being written, or removed meanwhile
    }
  }
}
