// Errors of the store: a stable `code` for callers, a message that says what happened and what to do.
import { OrchestratorError } from '../core/errors.js';

export type StoreErrorCode =
  | 'MISSING_REPO'
  | 'DAMAGED_REPO'
  | 'WRONG_FORMAT'
  | 'INVALID_RECORD'
  | 'BAD_REF_NAME'
  | 'STALE_REF'
  | 'REF_LOCKED'
  | 'REF_CONFLICT'
  | 'MISSING_OBJECT'
  | 'BAD_OBJECT'
  | 'MISSING_TOPOLOGY_FILE'
  | 'GIT_FAILED'
  | 'READER_FAILED'
  | 'CLOSED'
  | 'NOT_A_WORKTREE'
  | 'SIGN_FAILED';

export class StoreError extends OrchestratorError {
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, data: Record<string, unknown> = {}, hint?: string) {
    super(code, message, hint, data);
  }
}

/** A compare-and-swap found another value than expected: re-read, re-apply the edit, try again. */
export class StaleRefError extends StoreError {
  constructor(
    readonly ref: string,
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super(
      'STALE_REF',
      `${ref} moved: expected ${expected ?? '(absent)'}, found ${actual ?? '(absent)'}; re-read it and apply the change again`,
      { ref, expected, actual },
    );
  }
}
