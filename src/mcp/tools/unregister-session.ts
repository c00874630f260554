import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sessionId } from '../schemas.js';

export default defineTool({
  name: 'unregister_session',
  title: 'Unregister session',
  description: 'Mark your session ended when you are done. Updates for your role keep waiting for the next session.',
  input: { sessionId },
  output: {
    sessionId: z.string().describe('Session id'),
    unregistered: z.boolean().describe('false when it had already ended'),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handle: (app, args) => app.unregisterSession(args),
});
