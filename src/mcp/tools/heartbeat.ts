import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId } from '../schemas.js';

export default defineTool({
  name: 'heartbeat',
  title: 'Heartbeat',
  description: 'Say what you are working on now (the server keeps your session alive by itself). Returns counts of what waits for you.',
  input: { sessionId, currentTask: z.string().max(500).optional().describe('What you are working on now') },
  output: {
    sessionId: z.string().describe('Session id'),
    pendingUpdates: z.number().describe('Updates waiting for you'),
    pendingSyncPoints: z.number().describe('Sync points waiting for your acknowledgement'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handle: (app, args) => app.heartbeat(args),
});
