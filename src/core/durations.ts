// Durations and points in time as people type them (`30m`, `2h`, `3d`, `1w`, an ISO date). Pure.

/** `2h`, `3d`, `45m`, `30s`, `1w` or an ISO date, as wall-clock ms; null when unreadable. */
export function parseSince(text: string, now: number): number | null {
  const relative = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (relative) return now - parseDuration(text)!;
  const at = Date.parse(text);
  return Number.isFinite(at) ? at : null;
}

/** `30d`, `12h`, `90m`, `45s`, `2w` as ms; null when unreadable. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (!match) return null;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}

