import { getUpdates } from '../../app/operations/get-updates.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId, update } from '../schemas.js';

export default defineTool({
  name: 'get_cross_project_updates',
  title: 'Get cross-project updates',
  description:
    'Changes other repos made that affect yours, oldest first. Each is returned once unless peek.',
  input: {
    sessionId,
    limit: z.number().int().min(1).max(100).optional().describe('default 20'),
    peek: z.boolean().optional().describe('do not mark read'),
  },
  output: {
    updates: z.array(update),
    remaining: z.number().describe('still waiting'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handle: (ctx, args) => getUpdates(ctx, args),
});
