// Ids users see. Random where nothing better exists; derived where the same thing must get the same id.
import { createHash, randomBytes } from 'node:crypto';

export function randomId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** The same client session in the same group and role always maps to the same session id. */
export function sessionIdFor(role: string, clientSession: string | undefined, group: string): string {
  if (!clientSession) return randomId(role);
  const digest = createHash('sha256').update(`${clientSession}\0${group}\0${role}`).digest('hex');
  return `${role}-${digest.slice(0, 12)}`;
}
