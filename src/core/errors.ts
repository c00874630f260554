// One error shape for the whole project, after isomorphic-git's `BaseError`: a stable `code`
// callers branch on, `data` with the facts, and a `hint` that says what to do. Every layer's
// errors extend it; every adapter renders it the same way (`describeError`).

/**
 * Base of every error we throw on purpose.
 * - `code`: stable, SCREAMING_SNAKE, part of the contract (tests and adapters branch on it);
 * - `message`: what went wrong, naming the thing (a ref, a path, a session id);
 * - `hint`: what to do next, when there is something to do;
 * - `data`: the facts as values (JSON-safe), for `--json` output and tests.
 */
export class OrchestratorError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The one text an adapter shows: what was wrong, then what to do. */
  describe(): string {
    return this.hint ? `${this.message}. ${this.hint}` : this.message;
  }

  /** `{code, message, hint?, data?}`: what `--json` and tool errors carry. */
  toJSON(): { code: string; message: string; hint?: string; data?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(Object.keys(this.data).length ? { data: this.data } : {}),
    };
  }
}

/** Message for any thrown value: ours with its hint, others by their message. */
export function describeError(error: unknown): string {
  if (error instanceof OrchestratorError) return error.describe();
  if (error instanceof Error) {
    const hint = (error as { hint?: unknown }).hint;
    return typeof hint === 'string' && hint ? `${error.message}. ${hint}` : error.message;
  }
  return String(error);
}

/** Whether `error` is ours with the given code (works across module copies, unlike instanceof alone). */
export function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === code;
}
