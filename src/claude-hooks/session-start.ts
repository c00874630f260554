// SessionStart: register (or find) the session for the project directory and show what is pending.
import { announceToSession } from '../app/operations/announce-to-session.js';
import type { HookApp } from './hook-app.js';
import type { HookInput } from './hook-input.js';
import { contextOutput, renderAnnouncement, renderSessionStart } from './render.js';

export async function sessionStart(app: HookApp, _input: HookInput, client: { clientSession: string; projectDir: string }): Promise<string> {
  // A new, cleared or compacted context has seen nothing: show everything pending again.
  const shown = await announceToSession(app.ctx, { ...client, register: true, all: true });
  if (!shown) return '';
  const text = renderSessionStart(shown.session, renderAnnouncement(shown.announcement, shown.session));
  return contextOutput('SessionStart', text);
}
