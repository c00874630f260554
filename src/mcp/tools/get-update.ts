import { getUpdate } from '../../app/operations/get-update.js';
import type { ContractReport } from '../../core/records.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId } from '../schemas.js';

// Kept small: tools/list has a 12 KB budget. Changes are lines (`severity where: message`),
// which read as well as objects and cost a fraction of their schema; `breakingFrom` lists
// diff, message and/or patterns; `consumers` are `role: names`. The record's full shape:
// `claude-orchestrator log --show <id> --json`.
export default defineTool({
  name: 'get_update',
  title: 'Get an update in full',
  description: 'An update with its full contract diff (not marked read).',
  input: { sessionId, updateId: z.string() },
  output: {
    contract: z
      .object({
        digest: z.string(),
        breakingFrom: z.array(z.string()),
        files: z.array(z.object({ path: z.string(), format: z.string(), changes: z.array(z.string()) })),
        consumers: z.array(z.string()),
      })
      .optional(),
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: async (ctx, args) => {
    const found = await getUpdate(ctx, args);
    return { ...(found.contract ? { contract: contractLines(found.contract) } : {}) };
  },
});

function contractLines(c: ContractReport) {
  return {
    digest: c.digest,
    breakingFrom: c.breakingFrom,
    files: c.files.map((f) => ({
      path: f.path,
      format: f.format ?? 'unknown',
      changes: f.notCompared
        ? [`not compared: ${f.notCompared}`]
        : (f.changes ?? []).filter((x) => !x.repeat).map((x) => `${x.severity} ${x.where}: ${x.message}`),
    })),
    consumers: (c.consumers ?? []).map((x) => `${x.role}: ${x.names.join(', ')}`),
  };
}
