// SessionStart: register (or find) the session for the project directory and show what is pending:
// everything after startup, /clear or compaction (the context has none of it), only what was
// never shown after --resume or a fork (the replayed transcript holds the rest).
import { announceToSession } from '../app/operations/announce-to-session.js';
import type { HookApp } from './hook-app.js';
import type { HookInput } from './hook-input.js';
import { contextOutput, renderAnnouncement, renderSessionStart } from './render.js';

export async function sessionStart(app: HookApp, input: HookInput, client: { clientSession: string; projectDir: string }): Promise<string> {
  const shown = await announceToSession(app.ctx, { ...client, event: { kind: 'session-start', source: input.source } });
  if (!shown) return '';
  const text = renderSessionStart(shown.session, renderAnnouncement(shown.announcement, shown.session));
  return contextOutput('SessionStart', text);
}
