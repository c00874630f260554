// What this machine learnt of other machines' clocks (core/clock-skew.ts), in
// `<home>/peer-clocks.json`: per remote session, the recent arrivals of its ref's new tips.
// Written by the share after each fetch; read by liveness and sync point deadlines, which use it
// to read another machine's times on this machine's clock.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../config/files.js';
import { addSamples, clockOffset, type ClockSample } from '../core/clock-skew.js';

/** Sessions kept in the file: the most recently sampled. */
const SESSIONS_KEPT = 500;
/** A file larger than this is not ours: ignored. */
const FILE_MAX_BYTES = 1024 * 1024;

type Samples = Record<string, ClockSample[]>;

function fileOf(home: string): string {
  return join(home, 'peer-clocks.json');
}

function readSamples(file: string): Samples {
  try {
    if (statSync(file).size > FILE_MAX_BYTES) return {};
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { sessions?: Samples };
    const out: Samples = {};
    for (const [session, list] of Object.entries(parsed.sessions ?? {})) {
      if (!Array.isArray(list)) continue;
      const valid = list.filter((s) => Number.isFinite(s?.at) && Number.isFinite(s?.receivedAt));
      if (valid.length) out[session] = valid;
    }
    return out;
  } catch {
    return {}; // nothing learnt yet
  }
}

/**
 * Adds arrivals (`session` -> its new tip's `at`, received at `receivedAt`) to the file, keeping
 * the newest samples per session and the most recently sampled sessions. Errors: the file
 * system's (the caller treats them as harmless: the next fetch samples again).
 */
export function recordArrivals(home: string, arrivals: { session: string; sample: ClockSample }[]): void {
  if (arrivals.length === 0) return;
  const samples = readSamples(fileOf(home));
  for (const { session, sample } of arrivals) samples[session] = addSamples(samples[session] ?? [], [sample]);
  const newest = (list: ClockSample[]) => list[list.length - 1]?.receivedAt ?? 0;
  const kept = Object.entries(samples).sort((a, b) => newest(b[1]) - newest(a[1])).slice(0, SESSIONS_KEPT);
  writeFileAtomic(fileOf(home), `${JSON.stringify({ sessions: Object.fromEntries(kept) })}\n`, { mode: 0o600 });
}

/**
 * Offsets of other machines' clocks from this one (ms to add to the `at` of a session's records),
 * from the samples of that session: only sessions that arrived through a fetch have any, so this
 * machine's own sessions are never corrected, even under the same host name. A session with one
 * sample so far borrows the samples of the other sessions of its host. Re-read when the file
 * changes.
 */
export class PeerClocks {
  private mtime = -1;
  private samples: Samples = {};
  private byHost = new Map<string, number>();

  constructor(private readonly home: string) {}

  /** The correction for `session` (0 when nothing is known or its clock agrees with ours). */
  offset(session: string, hostOf: (session: string) => string | undefined): number {
    this.refresh();
    const own = this.samples[session];
    if (!own) return 0;
    if (own.length >= 2) return clockOffset(own);
    const host = hostOf(session);
    if (host === undefined) return 0;
    let offset = this.byHost.get(host);
    if (offset === undefined) {
      const all = Object.entries(this.samples).filter(([s]) => hostOf(s) === host).flatMap(([, list]) => list);
      offset = clockOffset(all);
      this.byHost.set(host, offset);
    }
    return offset;
  }

  private refresh(): void {
    let mtime: number;
    try {
      mtime = statSync(fileOf(this.home)).mtimeMs;
    } catch {
      mtime = 0;
    }
    if (mtime === this.mtime) return;
    this.mtime = mtime;
    this.samples = mtime ? readSamples(fileOf(this.home)) : {};
    this.byHost.clear();
  }
}
