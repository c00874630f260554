import { requestSyncPoint } from '../../app/operations/request-sync-point.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { integer, notifyTarget, sessionId, syncStatus } from '../schemas.js';

export default defineTool({
  name: 'request_sync_point',
  title: 'Request sync point',
  description:
    'Ask other repos to acknowledge before you proceed (a barrier). Track it with get_pending_sync_points.',
  input: {
    sessionId,
    description: z.string().describe('What others must do first'),
    participants: notifyTarget.optional().describe('default dependents'),
    timeoutSeconds: integer(1, 604800).optional().describe('default 3600'),
  },
  output: {
    syncPointId: z.string(),
    participants: z.array(z.string()),
    status: syncStatus,
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handle: (ctx, args) => requestSyncPoint(ctx, args),
});
