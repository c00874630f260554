// Errors a user (or a model) can act on. Adapters render `message` and `hint`; nothing else leaks.

export type UserErrorCode =
  | 'UNKNOWN_SESSION'
  | 'SESSION_ENDED'
  | 'UNKNOWN_GROUP'
  | 'NOT_A_MEMBER'
  | 'UNKNOWN_ROLE'
  | 'INVALID_INPUT'
  | 'UNKNOWN_SYNC_POINT'
  | 'SYNC_POINT_REFUSED'
  | 'TOPOLOGY_INVALID'
  | 'NO_PARTICIPANTS';

export class UserError extends Error {
  constructor(readonly code: UserErrorCode, message: string, readonly hint?: string) {
    super(message);
  }

  /** The one text an adapter shows: what was wrong, then what to do. */
  describe(): string {
    return this.hint ? `${this.message}. ${this.hint}` : this.message;
  }
}

/** Message for any thrown value, with the hint when it is ours. */
export function describeError(error: unknown): string {
  if (error instanceof UserError) return error.describe();
  if (error instanceof Error) {
    const hint = (error as { hint?: unknown }).hint;
    return typeof hint === 'string' && hint ? `${error.message}. ${hint}` : error.message;
  }
  return String(error);
}
