import { notify } from '../../app/operations/notify.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { changeType, flag, notifyTarget, priority, sessionId } from '../schemas.js';

export default defineTool({
  name: 'notify_related_sessions',
  title: 'Notify related sessions',
  description:
    'Announce a change you made (schema, API, shared type) to dependent repos, routed by the topology rules.',
  input: {
    sessionId,
    changeType: changeType.describe('Kind of change'),
    summary: z.string().describe('What changed, what others must do'),
    files: z.array(z.string()).optional().describe('Changed files'),
    priority: priority.optional().describe('overrides rules'),
    notify: notifyTarget.optional(),
    ackRequired: flag().optional().describe('resend until acknowledged'),
  },
  output: {
    eventId: z.string(),
    notifiedRoles: z.array(z.string()),
    priority: z.string(),
    next: z.string().optional(),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handle: (ctx, args) => notify(ctx, args),
});
