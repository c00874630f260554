// Field schemas shared by several tools. Descriptions are terse on purpose: every byte here is
// sent to the model with tools/list (budget: 12 KB for all twelve tools, see docs/claude-code.md).
import { z } from 'zod';
import { CHANGE_TYPES, PRIORITIES } from '../core/types.js';

// ---- inputs: precise, validated ----
// Some clients send numbers and booleans as strings ("5", "true"): accepted where unambiguous.
// The listing shows the plain type (zod lists a preprocessed field by its inner schema).
export const flag = () => z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
export const integer = (min: number, max: number) =>
  z.preprocess((v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v), z.number().int().min(min).max(max));
export const sessionId = z.string();
export const projectGroup = z.string().describe('see get_topology');
export const role = z.string().describe('e.g. auth');
export const changeType = z.enum(CHANGE_TYPES);
export const priority = z.enum(PRIORITIES);
export const notifyTarget = z
  .union([z.enum(['all', 'dependents']), z.array(z.string()).min(1)])
  .describe('"all", "dependents" (transitive) or roles');

// ---- outputs: the contract, described briefly; enums as strings to keep them small ----
const text = (description: string) => z.string().describe(description);
const list = (description: string) => z.array(z.string()).describe(description);
export const status = text('active|stale|ended');
export const syncStatus = z.enum(['pending', 'resolved', 'expired']);

export const sessionSummary = z.object({
  sessionId: z.string(),
  role: z.string(),
  repoPath: z.string(),
  currentTask: z.string().nullable(),
  status,
  lastHeartbeat: z.string(),
});

export const update = z.object({
  id: z.string(),
  fromRole: z.string(),
  fromSession: text('absent: a commit').optional(),
  changeType: z.string(),
  changeTypes: list('if several').optional(),
  priority: z.string(),
  summary: z.string(),
  timestamp: z.string(),
  files: z.array(z.string()).optional(),
  fileCount: z.number().optional(),
  commit: text('SHA').optional(),
  viaRoles: list('dependency chain').optional(),
  ackRequired: z.boolean().optional(),
  sameAs: list('ids delivered with it').optional(),
  contract: text('diff digest; full: get_update').optional(),
  uses: z.array(z.string()).optional(),
});

/** A sync point waiting on you (always pending; who else must still acknowledge it). */
export const waitingSyncPoint = z.object({
  syncPointId: z.string(),
  description: z.string(),
  fromRole: z.string(),
  remaining: z.array(z.string()),
  expiresAt: z.string(),
});

/** A sync point your role requested. */
export const requestedSyncPoint = z.object({
  syncPointId: z.string(),
  description: z.string(),
  acknowledgedBy: z.array(z.string()),
  remaining: z.array(z.string()),
  status: syncStatus,
  expiresAt: z.string(),
});

export const change = z.object({
  id: z.string(),
  changeTypes: z.array(z.string()),
  priority: z.string(),
  summary: z.string(),
  timestamp: z.string(),
  commit: z.string().optional(),
  files: z.array(z.string()).optional(),
});
