// Stop: keep the session going while a critical update is unread or a sync point waits on it.
import { stopCheck } from '../app/operations/stop-check.js';
import type { HookApp } from './hook-app.js';
import type { HookInput } from './hook-input.js';
import { blockOutput, renderStopReason } from './render.js';

export async function stop(app: HookApp, input: HookInput, client: { clientSession: string; projectDir: string }): Promise<string> {
  // Already continuing because of a Stop hook: block once per turn, never in a loop the model
  // cannot leave (a sync point may need the user).
  if (input.stopHookActive) return '';
  const checked = await stopCheck(app.ctx, client);
  if (!checked?.open.block) return '';
  return blockOutput(renderStopReason(checked.open, checked.session));
}
