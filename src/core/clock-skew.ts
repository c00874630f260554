// How far another machine's wall clock is from ours, learnt from when its records arrive.
//
// Deadlines and liveness compare a record's `at` (the writer's clock) with our `now`. Two
// machines 30 minutes apart made a 20-minute sync point expired on arrival and a running session
// stale. Each time a fetch brings a new tip of another machine's session ref, we note the tip's
// `at` and our time of receipt: `receivedAt - at` is that machine's offset from us plus how long
// the record took to arrive (never negative). The smallest recent value is the best estimate
// (the minimum filter NTP uses on its samples). An offset within the tolerance is treated as none,
// so machines that agree (NTP) are never corrected, and a correction never exceeds the bound.

/** One arrival: the writer's `at` of a new ref tip and our wall clock when it arrived (ms). */
export interface ClockSample {
  at: number;
  receivedAt: number;
}

/** Offsets within this (ms) are delivery delay or agreeing clocks: no correction. */
export const SKEW_TOLERANCE_MS = 2 * 60_000;
/** The largest correction applied (ms): a clock further off than a day is not estimated. */
export const MAX_SKEW_MS = 24 * 3_600_000;
/** Samples kept per writer: the newest, so a clock that was fixed is learnt again. */
export const SAMPLES_KEPT = 16;
/** Samples needed before a correction is applied: one late push alone would look like skew. */
const MIN_SAMPLES = 2;

/**
 * The correction (ms) to add to a writer's `at` to read it on our clock: the smallest
 * `receivedAt - at` over `samples`; 0 with fewer than 2 samples or within SKEW_TOLERANCE_MS;
 * clamped to ±MAX_SKEW_MS. Positive: the writer's clock is behind ours.
 */
export function clockOffset(samples: readonly ClockSample[]): number {
  if (samples.length < MIN_SAMPLES) return 0;
  let best = Infinity;
  for (const s of samples) best = Math.min(best, s.receivedAt - s.at);
  if (!Number.isFinite(best) || Math.abs(best) < SKEW_TOLERANCE_MS) return 0;
  return Math.max(-MAX_SKEW_MS, Math.min(MAX_SKEW_MS, best));
}

/** `samples` with `next` added, keeping the newest SAMPLES_KEPT by receipt. */
export function addSamples(samples: readonly ClockSample[], next: readonly ClockSample[]): ClockSample[] {
  return [...samples, ...next].sort((a, b) => a.receivedAt - b.receivedAt).slice(-SAMPLES_KEPT);
}
