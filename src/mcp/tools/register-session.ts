import { registerSession } from '../../app/operations/register-session.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { projectGroup } from '../schemas.js';

export default defineTool({
  name: 'register_session',
  title: 'Register session',
  description:
    'Join a project group for the repo you work in. Call once at start.',
  input: {
    repoPath: z.string().describe('Absolute repo path'),
    projectGroup,
    role: z.string().optional().describe('Omit if repoPath is a member'),
    currentTask: z.string().optional().describe('What you work on'),
  },
  output: {
    sessionId: z.string(),
    projectGroup: z.string(),
    role: z.string(),
    dependsOn: z.array(z.string()),
    dependents: z.array(z.string()).describe('transitive'),
    pendingUpdates: z.number(),
    commits: z.string().describe('how your commits are followed: hook|server|none'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handle: (ctx, args) => registerSession(ctx, args),
});
