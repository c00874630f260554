import { z } from 'zod';
import { defineTool } from '../tool.js';
import { projectGroup } from '../schemas.js';

export default defineTool({
  name: 'register_session',
  title: 'Register session',
  description:
    'Register this session for a member repo of a project group. Call once when you start work in a repo. Returns your sessionId and how many updates wait for you.',
  input: {
    repoPath: z.string().min(1).max(4096).describe('Absolute path of the repo you work in'),
    projectGroup,
    role: z.string().min(1).max(64).optional().describe('Your role in the group; may be left out when repoPath is a member'),
    currentTask: z.string().max(500).optional().describe('What you are working on, shown to other sessions'),
  },
  output: {
    sessionId: z.string().describe('Pass this to the other tools'),
    projectGroup: z.string().describe('Group joined'),
    role: z.string().describe('Role of this session'),
    dependsOn: z.array(z.string()).describe('Roles this one depends on'),
    dependents: z.array(z.string()).describe('Roles downstream of this one (transitively)'),
    pendingUpdates: z.number().describe('Updates waiting: read them with get_cross_project_updates'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handle: (app, args) => app.registerSession(args),
});
