import { z } from 'zod';
import { MAX_SUMMARY_CHARS } from '../../core/records.js';
import { defineTool } from '../tool.js';
import { notifyTarget, sessionId } from '../schemas.js';

export default defineTool({
  name: 'request_sync_point',
  title: 'Request sync point',
  description:
    'Ask other repos to acknowledge before you go on (a barrier), e.g. before merging a breaking change. Check it with get_pending_sync_points.',
  input: {
    sessionId,
    description: z.string().min(1).max(MAX_SUMMARY_CHARS).describe('What the others should check or do before acknowledging'),
    participants: notifyTarget.optional().describe('Who must acknowledge: "all", "dependents" (default) or roles'),
    timeoutSeconds: z.number().int().min(1).max(604800).optional().describe('Expire after this many seconds (default 3600)'),
  },
  output: {
    syncPointId: z.string().describe('Sync point id'),
    participants: z.array(z.string()).describe('Roles that must acknowledge'),
    status: z.enum(['pending', 'resolved', 'expired']).describe('Status now'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handle: (app, args) => app.requestSyncPoint(args),
});
