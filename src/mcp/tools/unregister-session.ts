import { unregisterSession } from '../../app/operations/unregister-session.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId } from '../schemas.js';

export default defineTool({
  name: 'unregister_session',
  title: 'Unregister session',
  description: 'End your session when done.',
  input: { sessionId },
  output: {
    sessionId: z.string(),
    unregistered: z.boolean().describe('false if already ended'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handle: (ctx, args) => unregisterSession(ctx, args),
});
