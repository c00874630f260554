import { getTopology } from '../../app/operations/get-topology.js';
import { z } from 'zod';
import { defineTool } from '../tool.js';

const member = z.object({
  role: z.string(),
  path: z.string(),
  dependsOn: z.array(z.string()),
  dependents: z.array(z.string()).describe('transitive'),
  exports: z.array(z.string()),
});
const rule = z.object({
  when: z.string().describe('change type'),
  from: z.union([z.literal('*'), z.array(z.string())]),
  notify: z.union([z.string(), z.array(z.string())]).describe('all|dependents|roles'),
  priority: z.string(),
});

export default defineTool({
  name: 'get_topology',
  title: 'Get topology',
  description: 'Groups: members, dependencies, notification rules.',
  input: { projectGroup: z.string().optional().describe('Only this group') },
  output: {
    groups: z.array(z.object({ name: z.string(), description: z.string().nullable(), members: z.array(member), communicationRules: z.array(rule) })),
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  handle: (ctx, args) => getTopology(ctx, args),
});
