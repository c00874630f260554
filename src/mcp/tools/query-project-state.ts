import { queryProjectState } from '../../app/operations/query-project-state.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { change, projectGroup, role, sessionSummary } from '../schemas.js';

export default defineTool({
  name: 'query_project_state',
  title: 'Query project state',
  description: "Another repo's sessions, recent changes, uncommitted edits and git state.",
  input: { projectGroup, role },
  output: {
    projectGroup: z.string(),
    role: z.string(),
    path: z.string(),
    sessions: z.array(sessionSummary),
    commits: z.string().describe('hook|server|none'),
    recentChanges: z.array(change),
    workingTree: z
      .object({
        files: z.array(z.string()),
        fileCount: z.number(),
        changeTypes: z.array(z.string()),
        timestamp: z.string(),
      })
      .nullable()
      .describe('uncommitted edits'),
    git: z
      .object({
        branch: z.string().nullable(),
        head: z.string().nullable(),
        dirty: z.boolean().nullable(),
      })
,
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: (ctx, args) => queryProjectState(ctx, args),
});
