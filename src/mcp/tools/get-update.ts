import { describeUpdates } from '../../app/operations/get-update.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId } from '../schemas.js';

// One tool for what issue 11 (delivery states) and issue 15 (contract diffs) each wanted a tool
// for: tools/list has a 12 KB budget. Changes are lines (`severity where: message`), which read
// as well as objects and cost a fraction of their schema; the record's full shape:
// `claude-orchestrator log --show <id> --json`.
export default defineTool({
  name: 'get_update',
  title: 'Get updates in full',
  description: 'Updates in full, not marked read: per recipient role queued/delivered/acknowledged, and the contract diff.',
  input: { sessionId, eventIds: z.array(z.string()).optional().describe('default: the ones you sent last') },
  output: {
    updates: z.array(z.object({
      id: z.string(),
      summary: z.string(),
      timestamp: z.string(),
      roles: z.array(z.object({ role: z.string(), state: z.string(), note: z.string().optional() })),
      contract: z.object({
        digest: z.string(),
        breakingFrom: z.array(z.string()),
        files: z.array(z.object({ path: z.string(), format: z.string(), changes: z.array(z.string()) })),
        consumers: z.array(z.string()),
      }).optional(),
    })),
    next: z.string().optional(),
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: (ctx, args) => describeUpdates(ctx, args),
});
