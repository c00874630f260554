import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId, syncPoint } from '../schemas.js';

export default defineTool({
  name: 'get_pending_sync_points',
  title: 'Get pending sync points',
  description: 'Sync points waiting for your acknowledgement, and the state of those you requested.',
  input: { sessionId },
  output: {
    toAcknowledge: z.array(syncPoint).describe('Pending sync points your role must acknowledge'),
    requested: z.array(syncPoint).describe('Sync points your role requested, with who remains'),
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: (app, args) => app.getPendingSyncPoints(args),
});
