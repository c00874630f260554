import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId } from '../schemas.js';

export default defineTool({
  name: 'acknowledge_sync_point',
  title: 'Acknowledge sync point',
  description: 'Acknowledge a sync point for your role once you have done what it asks.',
  input: {
    sessionId,
    syncPointId: z.string().min(1).max(100).describe('Id from get_pending_sync_points'),
    note: z.string().max(2000).optional().describe('Anything the requester should know'),
  },
  output: {
    syncPointId: z.string().describe('Sync point id'),
    status: z.enum(['pending', 'resolved', 'expired']).describe('Status after your acknowledgement'),
    remaining: z.array(z.string()).describe('Roles still to acknowledge'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handle: (app, args) => app.acknowledgeSyncPoint(args),
});
