// Which ref names the store writes: inside its namespace, and only what `git check-ref-format` accepts.
import { StoreError } from './errors.js';
import { NAMESPACE } from './layout.js';

export function refNameProblem(ref: string): string | null {
  if (typeof ref !== 'string' || !ref.startsWith(NAMESPACE)) return `must start with ${NAMESPACE}`;
  if (ref.length === NAMESPACE.length) return 'has no name after the namespace';
  if (ref.endsWith('/')) return "ends with '/'";
  if (ref.endsWith('.')) return "ends with '.'";
  if (ref.includes('..')) return "contains '..'";
  if (ref.includes('@{')) return "contains '@{'";
  const bad = [...ref].find((c) => c <= ' ' || c === '\x7f' || '~^:?*[\\'.includes(c));
  if (bad !== undefined) return `contains ${JSON.stringify(bad)}`;
  for (const part of ref.split('/')) {
    if (part === '') return "contains '//'";
    if (part.startsWith('.')) return `has a component starting with '.' (${part})`;
    if (part.endsWith('.lock')) return `has a component ending with '.lock' (${part})`;
  }
  return null;
}

export function assertRefName(ref: string): string {
  const problem = refNameProblem(ref);
  if (problem) {
    throw new StoreError('BAD_REF_NAME', `ref name ${JSON.stringify(ref)} ${problem}; build ref names with src/store/layout.ts`, { ref });
  }
  return ref;
}
