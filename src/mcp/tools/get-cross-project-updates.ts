import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId, update } from '../schemas.js';

export default defineTool({
  name: 'get_cross_project_updates',
  title: 'Get cross-project updates',
  description:
    'Read changes other repos of your group made that concern you, oldest first. Returned updates are not returned again unless peek is true.',
  input: {
    sessionId,
    limit: z.number().int().min(1).max(100).optional().describe('Most updates to return (default 20)'),
    peek: z.boolean().optional().describe('Look without marking them read'),
  },
  output: {
    updates: z.array(update).describe('Updates, oldest first'),
    remaining: z.number().describe('Updates still waiting after this page'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handle: (app, args) => app.getUpdates(args),
});
