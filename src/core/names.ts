// Group names, roles and ids become ref path components: accept only what is safe there.
import { OrchestratorError } from './errors.js';

/** Letters, digits, '.', '_' and '-'; starting with a letter or digit; at most 64 characters. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Returns why `name` can't be used as a group name, role or id, or null when it can.
 * Stricter than git's check-ref-format: also refuses anything that could leave its namespace.
 */
export function nameProblem(name: string): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'is empty';
  if (name.length > 64) return 'is longer than 64 characters';
  if (!NAME.test(name)) {
    const bad = [...name].find((c) => !/[A-Za-z0-9._-]/.test(c));
    if (bad !== undefined) return `contains ${JSON.stringify(bad)}: use only letters, digits, '.', '_' and '-'`;
    return "must start with a letter or digit";
  }
  if (name.includes('..')) return "contains '..'";
  if (name.endsWith('.lock')) return "ends with '.lock'";
  if (name.endsWith('.')) return "ends with '.'";
  return null;
}

export class InvalidNameError extends OrchestratorError {
  constructor(readonly what: string, readonly value: string, readonly problem: string) {
    super('INVALID_NAME', `${what} ${JSON.stringify(value)} ${problem}`, "use only letters, digits, '.', '_' and '-'", { what, value });
  }
}

export function assertName(what: string, name: string): string {
  const problem = nameProblem(name);
  if (problem) throw new InvalidNameError(what, name, problem);
  return name;
}
