import { getUpdates } from '../../app/operations/get-updates.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { flag, integer, sessionId, update } from '../schemas.js';

export default defineTool({
  name: 'get_cross_project_updates',
  title: 'Get cross-project updates',
  description:
    'Changes other repos made that affect yours, and sync points waiting on you, oldest first. Each is returned once unless peek or ackRequired.',
  input: {
    sessionId,
    limit: integer(1, 100).optional().describe('default 20'),
    peek: flag().optional().describe('do not mark read'),
    ack: z.array(z.string()).optional().describe('ids you handled'),
    note: z.string().optional().describe('with ack'),
  },
  output: {
    updates: z.array(update),
    syncPoints: z.array(z.object({ syncPointId: z.string(), fromRole: z.string(), description: z.string(), expiresAt: z.string() })).optional(),
    remaining: z.number(),
    next: z.string().optional(),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  // The page counts as received once the response is written (a kill before that re-offers it).
  handle: (ctx, args, reply) => getUpdates(ctx, args, { written: (receipt) => reply.written(receipt.replied) }),
});
