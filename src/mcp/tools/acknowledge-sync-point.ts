import { acknowledgeSyncPoint } from '../../app/operations/acknowledge-sync-point.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId, syncStatus } from '../schemas.js';

export default defineTool({
  name: 'acknowledge_sync_point',
  title: 'Acknowledge sync point',
  description: 'Acknowledge a sync point once done.',
  input: {
    sessionId,
    syncPointId: z.string().describe('From get_pending_sync_points'),
    note: z.string().optional().describe('For the requester'),
  },
  output: {
    syncPointId: z.string(),
    status: syncStatus,
    remaining: z.array(z.string()),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handle: (ctx, args) => acknowledgeSyncPoint(ctx, args),
});
