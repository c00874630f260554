// Timings and limits, with environment overrides (tests shorten them; people may tune them).
import { UserError } from './errors.js';

export interface Settings {
  /** How often a running server proves its session alive. */
  heartbeatMs: number;
  /** A heartbeat is written as a record at most this often, unless the current task changed. */
  heartbeatRecordMs: number;
  /** A session not seen for this long is stale. */
  staleAfterMs: number;
  /** Records older than this are not read (and updates older than this are not delivered). */
  retentionMs: number;
  /** Default sync point timeout. */
  syncTimeoutMs: number;
  /** Updates returned by one call when no limit is given. */
  updatesPageSize: number;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, unit: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (Number.isFinite(value) && value > 0) return value;
  throw new UserError('INVALID_SETTING', `${name}=${raw} is not a positive number of ${unit}`,
    `set it to a number above 0, or unset it for the default (${fallback} ${unit})`, { name, value: raw });
}

/**
 * The settings from `env`. Errors: UserError INVALID_SETTING for a variable that is set but not a
 * positive number (silently falling back would hide the mistake).
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const heartbeatRecordMs = number(env, 'CLAUDE_ORCHESTRATOR_HEARTBEAT_RECORD_MS', 120_000, 'ms');
  return {
    heartbeatMs: number(env, 'CLAUDE_ORCHESTRATOR_HEARTBEAT_MS', Math.min(30_000, heartbeatRecordMs), 'ms'),
    heartbeatRecordMs,
    staleAfterMs: number(env, 'CLAUDE_ORCHESTRATOR_STALE_AFTER_MS', 3 * heartbeatRecordMs, 'ms'),
    retentionMs: number(env, 'CLAUDE_ORCHESTRATOR_RETENTION_DAYS', 14, 'days') * 86_400_000,
    syncTimeoutMs: number(env, 'CLAUDE_ORCHESTRATOR_SYNC_TIMEOUT_S', 3600, 's') * 1000,
    updatesPageSize: 20,
  };
}
