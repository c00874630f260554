// UserPromptSubmit and PostToolUse: new updates and sync points for this session, once each.
import { announceToSession } from '../app/operations/announce-to-session.js';
import type { HookApp } from './hook-app.js';
import { contextOutput, renderAnnouncement } from './render.js';

export async function promptContext(
  app: HookApp,
  hookEventName: 'UserPromptSubmit' | 'PostToolUse',
  client: { clientSession: string; projectDir: string },
): Promise<string> {
  // Only SessionStart (or the MCP server) registers: outside member repos this stays cheap,
  // with no topology to load on every prompt.
  const shown = await announceToSession(app.ctx, { ...client, event: { kind: 'prompt' } });
  if (!shown) return '';
  const text = renderAnnouncement(shown.announcement, shown.session);
  return text ? contextOutput(hookEventName, text) : '';
}
