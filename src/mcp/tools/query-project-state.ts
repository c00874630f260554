import { z } from 'zod';
import { defineTool } from '../tool.js';
import { change, projectGroup, role, sessionSummary } from '../schemas.js';

export default defineTool({
  name: 'query_project_state',
  title: 'Query project state',
  description: "See another repo's state: its sessions, recent changes, git branch and uncommitted work.",
  input: { projectGroup, role },
  output: {
    projectGroup: z.string().describe('Group'),
    role: z.string().describe('Role queried'),
    path: z.string().describe('Repo path'),
    sessions: z.array(sessionSummary).describe('Sessions of this role'),
    recentChanges: z.array(change).describe('Latest changes from this role, newest first'),
    workingTree: z
      .object({
        files: z.array(z.string()).describe('Files being edited, not yet committed (capped)'),
        fileCount: z.number().describe('How many files are being edited'),
        changeTypes: z.array(z.string()).describe('Types of those edits'),
        timestamp: z.string().describe('When this was seen'),
      })
      .nullable()
      .describe('Uncommitted edits seen by a running session, if any'),
    git: z
      .object({
        branch: z.string().nullable().describe('Current branch (null when detached)'),
        head: z.string().nullable().describe('HEAD commit'),
        dirty: z.boolean().nullable().describe('Uncommitted changes present'),
      })
      .describe('Git state of the repo on this machine (nulls when it cannot be read)'),
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: (app, args) => app.queryProjectState(args),
});
