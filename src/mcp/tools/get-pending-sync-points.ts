import { getPendingSyncPoints } from '../../app/operations/get-pending-sync-points.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { requestedSyncPoint, sessionId, waitingSyncPoint } from '../schemas.js';

export default defineTool({
  name: 'get_pending_sync_points',
  title: 'Get pending sync points',
  description: 'Sync points you must acknowledge, and those you requested.',
  input: { sessionId },
  output: {
    toAcknowledge: z.array(waitingSyncPoint),
    requested: z.array(requestedSyncPoint),
    next: z.string().optional(),
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: (ctx, args) => getPendingSyncPoints(ctx, args),
});
