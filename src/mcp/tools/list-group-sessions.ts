import { z } from 'zod';
import { defineTool } from '../tool.js';
import { projectGroup, sessionSummary } from '../schemas.js';

export default defineTool({
  name: 'list_group_sessions',
  title: 'List group sessions',
  description: 'List the sessions of a project group with their role, task and liveness.',
  input: {
    projectGroup,
    includeInactive: z.boolean().optional().describe('Also list stale and ended sessions'),
  },
  output: { sessions: z.array(sessionSummary).describe('Sessions, active first') },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: (app, args) => app.listGroupSessions(args),
});
