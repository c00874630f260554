import { getUpdateStatus } from '../../app/operations/get-update-status.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId } from '../schemas.js';

export default defineTool({
  name: 'get_update_status',
  title: 'Get update status',
  description: 'Per recipient role, whether updates you sent are queued, delivered or acknowledged.',
  input: { sessionId, eventIds: z.array(z.string()).optional().describe('default: your latest') },
  output: {
    updates: z.array(z.object({
      id: z.string(),
      summary: z.string(),
      timestamp: z.string(),
      roles: z.array(z.object({ role: z.string(), state: z.string(), note: z.string().optional() })),
    })),
    next: z.string().optional(),
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: (ctx, args) => getUpdateStatus(ctx, args),
});
