import { listGroupSessions } from '../../app/operations/list-group-sessions.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { flag, projectGroup, sessionSummary } from '../schemas.js';

export default defineTool({
  name: 'list_group_sessions',
  title: 'List group sessions',
  description: 'Sessions of a group: role, task, liveness.',
  input: {
    projectGroup,
    includeInactive: flag().optional().describe('also stale and ended'),
  },
  output: { sessions: z.array(sessionSummary) },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: (ctx, args) => listGroupSessions(ctx, args),
});
