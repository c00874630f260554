import { getPendingSyncPoints } from '../../app/operations/get-pending-sync-points.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId, syncPoint } from '../schemas.js';

export default defineTool({
  name: 'get_pending_sync_points',
  title: 'Get pending sync points',
  description: 'Sync points you must acknowledge, and those you requested.',
  input: { sessionId },
  output: {
    toAcknowledge: z.array(syncPoint),
    requested: z.array(syncPoint),
    next: z.string().optional(),
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: (ctx, args) => getPendingSyncPoints(ctx, args),
});
