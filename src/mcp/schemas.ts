// Field schemas shared by several tools. Descriptions are terse on purpose: every byte here is
// sent to the model with tools/list (budget: 12 KB for all eleven tools, see docs/claude-code.md).
import { z } from 'zod';
import { CHANGE_TYPES, PRIORITIES } from '../core/types.js';

// ---- inputs: precise, validated ----
export const sessionId = z.string().describe('From register_session');
export const projectGroup = z.string().describe('Group name (see get_topology)');
export const role = z.string().describe('Member role, e.g. auth');
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
  lastHeartbeat: text('ISO time last seen'),
});

export const update = z.object({
  id: z.string(),
  fromRole: z.string(),
  fromSession: z.string().nullable().describe('null: from a commit'),
  changeType: text('main type'),
  changeTypes: list('all types'),
  priority: text('low|normal|high|critical'),
  summary: z.string(),
  timestamp: text('ISO'),
  files: z.array(z.string()).optional(),
  commit: text('SHA in the source repo').optional(),
  viaRoles: list('dependency chain it came through'),
  contract: text('diff digest; full: get_update').optional(),
  // Exported names the reader's code uses (undocumented in the schema for the 12 KB budget).
  uses: z.array(z.string()).optional(),
});

export const syncPoint = z.object({
  syncPointId: z.string(),
  description: z.string(),
  requestedBy: z.object({ sessionId: z.string(), role: z.string() }),
  participants: list('roles that must acknowledge'),
  acknowledgedBy: z.array(z.string()),
  remaining: z.array(z.string()),
  status: syncStatus,
  expiresAt: text('ISO'),
});

export const change = z.object({
  id: z.string(),
  changeTypes: z.array(z.string()),
  priority: z.string(),
  summary: z.string(),
  timestamp: text('ISO'),
  commit: z.string().optional(),
  files: z.array(z.string()).optional(),
});
