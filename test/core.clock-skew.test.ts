// The minimum filter that learns another machine's clock offset from record arrivals.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addSamples, clockOffset, MAX_SKEW_MS, SAMPLES_KEPT, SKEW_TOLERANCE_MS } from '../src/core/clock-skew.js';

const MIN = 60_000;
const sample = (offset: number, delay: number, receivedAt = 1_800_000_000_000) => ({ at: receivedAt - offset - delay, receivedAt });

test('the smallest receipt delay wins: a writer 30 minutes behind, seen with delays of seconds to minutes', () => {
  assert.is(clockOffset([sample(30 * MIN, 4 * MIN), sample(30 * MIN, 2_000), sample(30 * MIN, 40_000)]), 30 * MIN + 2_000);
});

test('a writer ahead of us gives a negative offset', () => {
  assert.is(clockOffset([sample(-30 * MIN, 1_000), sample(-30 * MIN, 5_000)]), -30 * MIN + 1_000);
});

test('no correction: one sample, agreeing clocks within the tolerance', () => {
  assert.is(clockOffset([sample(30 * MIN, 0)]), 0);
  assert.is(clockOffset([sample(SKEW_TOLERANCE_MS - 1, 0), sample(SKEW_TOLERANCE_MS - 1, 500)]), 0);
  assert.is(clockOffset([]), 0);
});

test('corrections are bounded, and old samples leave (a clock that was fixed is learnt again)', () => {
  assert.is(clockOffset([sample(5 * 24 * 60 * MIN, 0), sample(5 * 24 * 60 * MIN, 0)]), MAX_SKEW_MS);
  let samples = [sample(30 * MIN, 0, 1), sample(30 * MIN, 0, 2)];
  for (let i = 0; i < SAMPLES_KEPT; i++) samples = addSamples(samples, [sample(0, 1_000, 10 + i)]);
  assert.is(samples.length, SAMPLES_KEPT);
  assert.is(clockOffset(samples), 0);
});

test.run();
