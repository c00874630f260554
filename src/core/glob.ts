// A small glob matcher for repo-relative paths: `**`, `*`, `?` and `{a,b}`.
//
// - `*` and `?` never cross a `/`; `**` as a whole segment spans any number of directories
//   (`**/x` also matches `x` at the root).
// - A pattern without `/` matches the file's name at any depth (`*.sql`, `Dockerfile`);
//   a pattern with `/` matches the whole path from the repo root (`config/**`).
// - Dot files are not special: `*.yml` matches `.github/workflows/ci.yml`.
// - Matching is case-sensitive. Paths may use `\` (normalized to `/`) and a leading `./`.

const compiled = new Map<string, RegExp>();

export function matchGlob(pattern: string, path: string): boolean {
  const file = normalize(path);
  const subject = pattern.includes('/') ? file : file.slice(file.lastIndexOf('/') + 1);
  return globToRegExp(pattern).test(subject);
}

export function matchesAny(patterns: readonly string[], path: string): boolean {
  return patterns.some((p) => matchGlob(p, path));
}

export function globToRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^${translate(pattern.replace(/^\.\//, ''))}$`);
    compiled.set(pattern, re);
  }
  return re;
}

function normalize(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

function translate(p: string): string {
  let out = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i] as string;
    if (c === '*' && p[i + 1] === '*') {
      const segmentStart = i === 0 || p[i - 1] === '/';
      const next = p[i + 2];
      if (segmentStart && next === '/') {
        out += '(?:[^/]*/)*'; // zero or more directories
        i += 3;
      } else if (segmentStart && next === undefined) {
        out += i === 0 ? '.*' : '.+'; // everything below
        i += 2;
      } else {
        out += '[^/]*'; // `a**b` is just `a*b`
        i += 2;
      }
    } else if (c === '*') {
      out += '[^/]*';
      i++;
    } else if (c === '?') {
      out += '[^/]';
      i++;
    } else if (c === '{') {
      const close = matchingBrace(p, i);
      if (close < 0) {
        out += '\\{';
        i++;
      } else {
        out += `(?:${splitTopLevel(p.slice(i + 1, close)).map(translate).join('|')})`;
        i = close + 1;
      }
    } else {
      out += c.replace(/[.+^$()|[\]\\}]/g, '\\$&');
      i++;
    }
  }
  return out;
}

function matchingBrace(p: string, open: number): number {
  let depth = 0;
  for (let i = open; i < p.length; i++) {
    if (p[i] === '{') depth++;
    else if (p[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '{') depth++;
    else if (body[i] === '}') depth--;
    else if (body[i] === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}
