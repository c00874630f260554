// Errors a user (or a model) can act on. Adapters render `message` and `hint`; nothing else leaks.
import { OrchestratorError } from '../core/errors.js';

export { describeError, OrchestratorError } from '../core/errors.js';

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
  | 'NO_PARTICIPANTS'
  | 'REMOTE_EXISTS'
  | 'UNKNOWN_REMOTE'
  | 'INVALID_SETTING'
  | 'REF_BUSY';

/** A request the caller can fix: what was wrong (`message`) and what to do (`hint`). */
export class UserError extends OrchestratorError {
  declare readonly code: UserErrorCode;
  constructor(code: UserErrorCode, message: string, hint?: string, data: Record<string, unknown> = {}) {
    super(code, message, hint, data);
  }
}
