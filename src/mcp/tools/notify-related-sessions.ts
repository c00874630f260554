import { z } from 'zod';
import { MAX_SUMMARY_CHARS } from '../../core/records.js';
import { defineTool } from '../tool.js';
import { changeType, notifyTarget, priority, sessionId } from '../schemas.js';

export default defineTool({
  name: 'notify_related_sessions',
  title: 'Notify related sessions',
  description:
    'Tell the repos that depend on yours (per the topology rules) about a change you made: a schema, an API, a shared type. Routed along the dependency graph.',
  input: {
    sessionId,
    changeType,
    summary: z.string().min(1).max(MAX_SUMMARY_CHARS).describe(`What changed and what others must do, in a line or two (at most ${MAX_SUMMARY_CHARS} characters)`),
    files: z.array(z.string().max(4096)).max(1000).optional().describe('Files changed'),
    priority: priority.optional().describe('Overrides the priority the rules give'),
    notify: notifyTarget.optional().describe('Overrides the rules: "all", "dependents" or roles'),
  },
  output: {
    eventId: z.string().describe('Id of the recorded change'),
    notifiedRoles: z.array(z.string()).describe('Roles it was routed to'),
    priority: priority.describe('Priority it was sent with'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handle: (app, args) => app.notify(args),
});
