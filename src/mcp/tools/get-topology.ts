import { z } from 'zod';
import { CHANGE_TYPES, PRIORITIES } from '../../core/types.js';
import { defineTool } from '../tool.js';

const member = z.object({
  role: z.string().describe('Role'),
  path: z.string().describe('Repo path'),
  dependsOn: z.array(z.string()).describe('Roles it depends on'),
  dependents: z.array(z.string()).describe('Roles downstream of it (transitively)'),
  exports: z.array(z.string()).describe('What it provides to others'),
});
const rule = z.object({
  when: z.enum(CHANGE_TYPES).describe('Change type'),
  from: z.union([z.literal('*'), z.array(z.string())]).describe('Source roles'),
  notify: z.union([z.enum(['all', 'dependents']), z.array(z.string())]).describe('Targets'),
  priority: z.enum(PRIORITIES).describe('Priority'),
});

export default defineTool({
  name: 'get_topology',
  title: 'Get topology',
  description: 'Show the project groups: members, dependencies and notification rules.',
  input: { projectGroup: z.string().min(1).max(64).optional().describe('Only this group') },
  output: {
    groups: z
      .array(z.object({ name: z.string(), description: z.string().nullable(), members: z.array(member), communicationRules: z.array(rule) }))
      .describe('Groups'),
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: (app, args) => app.getTopology(args),
});
