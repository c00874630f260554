// Reading the first members of a JSON object whose text was cut short (an oversized message or
// hook input kept only in part): pure, dependency-free, for short-lived processes too.

/**
 * The top-level members of a JSON object, read from its start until the text runs out, whose
 * values are strings, numbers, booleans or null (nested objects and arrays are skipped; a member
 * cut short is left out). Not a validator: text that is not an object gives an empty map.
 */
export function jsonHead(text: string): Map<string, string | number | boolean | null> {
  const found = new Map<string, string | number | boolean | null>();
  let i = skipSpace(text, 0);
  if (text[i] !== '{') return found;
  i++;
  for (;;) {
    i = skipSpace(text, i);
    if (text[i] === ',') i = skipSpace(text, i + 1);
    if (text[i] !== '"') return found;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return found;
    const key = safeParse(text.slice(i, keyEnd));
    i = skipSpace(text, keyEnd);
    if (text[i] !== ':') return found;
    i = skipSpace(text, i + 1);
    const start = i;
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i);
      if (i < 0) return found;
    } else if (c === '{' || c === '[') {
      i = containerEnd(text, i);
      if (i < 0) return found;
      continue; // nested: skipped
    } else {
      const match = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 40));
      if (!match) return found;
      i += match[0].length;
      if (i >= text.length) return found; // a number cut short
    }
    const value = safeParse(text.slice(start, i));
    if (typeof key === 'string' && value !== undefined) found.set(key, value as string | number | boolean | null);
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || text[i] === '\n')) i++;
  return i;
}

/** Index just past the string starting at `i` (a quote), or -1 when the text ends first. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  return -1;
}

/** Index just past the object or array starting at `i`, or -1 when the text ends first. */
function containerEnd(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"') {
      j = stringEnd(text, j) - 1;
      if (j < 0) return -1;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
