import { getUpdate } from '../../app/operations/get-update.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId, update } from '../schemas.js';

export default defineTool({
  name: 'get_update',
  title: 'Get one update in full',
  description: 'One update by id with its full contract diff (every change, severity, consumers). Does not mark it read.',
  input: { sessionId, updateId: z.string() },
  output: {
    update,
    files: z.array(z.string()),
    fileCount: z.number(),
    targets: z.array(z.object({ role: z.string(), via: z.array(z.string()), priority: z.string() })),
    source: z.string(),
    contract: z.record(z.string(), z.unknown()).nullable().describe('digest, breaking, breakingFrom, files[{path,format,changes[],notCompared}], exports, consumers'),
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: async (ctx, args) => {
    const details = await getUpdate(ctx, args);
    return { ...details, contract: details.contract as Record<string, unknown> | null };
  },
});
