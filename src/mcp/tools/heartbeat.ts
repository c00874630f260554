import { heartbeat } from '../../app/operations/heartbeat.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId } from '../schemas.js';

export default defineTool({
  name: 'heartbeat',
  title: 'Heartbeat',
  description: 'Set your current task; returns what waits for you. Liveness is automatic.',
  input: { sessionId, currentTask: z.string().optional().describe('What you work on now') },
  output: {
    sessionId: z.string(),
    pendingUpdates: z.number(),
    pendingSyncPoints: z.number(),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handle: (ctx, args) => heartbeat(ctx, args),
});
