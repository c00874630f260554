// Problems found in a topology, and how they are shown. Tiny and dependency-free, so adapters
// can format problems and suggest names without loading the YAML and schema libraries.

export interface Problem {
  /** Dotted path inside the file, e.g. `groups.my-platform.members[1].dependsOn[0]`; empty for the whole file. */
  where: string;
  message: string;
  hint?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
}

export type PathSegment = string | number;

/**
 * `topology.yml:12:7: groups.g.members[1].role: unknown role "x" (hint)`.
 * A non-string second argument (the index `Array.prototype.map` passes) is ignored.
 */
export function formatProblem(problem: Problem, fileName?: string | number): string {
  const file = typeof fileName === 'string' ? fileName : 'topology.yml';
  const at = problem.line !== undefined ? `${file}:${problem.line}:${problem.column ?? 1}` : file;
  const where = problem.where ? `${problem.where}: ` : '';
  const hint = problem.hint ? ` (${problem.hint})` : '';
  return `${at}: ${where}${problem.message}${hint}`;
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (!/^[A-Za-z0-9_-]+$/.test(seg)) out += `[${JSON.stringify(seg)}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

/** The candidate closest to `word` when it is a plausible typo (edit distance <= 2), else null. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance && d < Math.max(word.length, c.length)) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** Characters a topology may have: a topology lists groups, members and rules (a 5 MB file took `validate` 82 s). */
export const MAX_TOPOLOGY_CHARS = 256 * 1024;
/**
 * Bytes of a topology file worth reading (this module is light: readers that must not load the
 * YAML parser import it): past MAX_TOPOLOGY_CHARS characters whatever their encoding, so
 * `parseTopology` refuses an oversized file from its head.
 */
export const TOPOLOGY_READ_BYTES = 4 * MAX_TOPOLOGY_CHARS + 4;
