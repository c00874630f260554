// The shape of topology.yml, as written by people. Semantic checks (names, references, cycles,
// paths) live in parse.ts; this only says which keys exist and what type each value has.
import { z } from 'zod';
import { CHANGE_TYPES, PRIORITIES } from '../core/types.js';

export const TOPOLOGY_VERSION = '1.0';

const changeType = z.enum(CHANGE_TYPES);
const roleList = z.array(z.string());

export const memberSchema = z.strictObject({
  path: z.string().min(1),
  role: z.string(),
  dependsOn: roleList.optional(),
  exports: z.array(z.string()).optional(),
  /** Change classification overrides: change type -> glob list. */
  patterns: z.partialRecord(changeType, z.array(z.string())).optional(),
});

export const ruleSchema = z.strictObject({
  when: changeType,
  /** `"*"`, one role, or a list of roles. */
  from: z.union([z.literal('*'), z.string(), roleList]),
  notify: z.union([z.literal('all'), z.literal('dependents'), roleList]),
  priority: z.enum(PRIORITIES).optional(),
  uncommitted: z.boolean().optional(),
});

export const groupSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  // Items are checked one by one (memberSchema, ruleSchema) so one bad member hides nothing else.
  members: z.array(z.unknown()).nullish(),
  communicationRules: z.array(z.unknown()).nullish(),
});

export const topologySchema = z.strictObject({
  version: z.union([z.string(), z.number()]),
  groups: z.record(z.string(), z.unknown()).nullish(),
});

export type RawMember = z.infer<typeof memberSchema>;
export type RawRule = z.infer<typeof ruleSchema>;
export type RawGroup = z.infer<typeof groupSchema>;
