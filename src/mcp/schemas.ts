// Field schemas shared by several tools, each with the description the model reads.
import { z } from 'zod';
import { CHANGE_TYPES, PRIORITIES } from '../core/types.js';

export const sessionId = z.string().min(1).max(100).describe('Your session id, as returned by register_session');
export const projectGroup = z.string().min(1).max(64).describe('Project group name from the topology');
export const role = z.string().min(1).max(64).describe('Role of a member repo in the group (e.g. auth, gateway)');
export const changeType = z.enum(CHANGE_TYPES).describe('Kind of change');
export const priority = z.enum(PRIORITIES).describe('low, normal, high or critical');
export const notifyTarget = z
  .union([z.enum(['all', 'dependents']), z.array(z.string().min(1).max(64)).min(1)])
  .describe('"all", "dependents" (transitively downstream) or a list of roles');

export const sessionSummary = z.object({
  sessionId: z.string().describe('Session id'),
  role: z.string().describe('Role of the session'),
  repoPath: z.string().describe('Repo the session works in'),
  currentTask: z.string().nullable().describe('What the session says it is doing'),
  status: z.enum(['active', 'stale', 'ended']).describe('active: seen recently; stale: silent past the timeout; ended: unregistered or its client went away'),
  lastHeartbeat: z.string().describe('ISO time the session was last seen'),
});

export const update = z.object({
  id: z.string().describe('Update (event) id'),
  fromRole: z.string().describe('Role that made the change'),
  fromSession: z.string().nullable().describe('Session that sent it; null for changes detected from a commit'),
  changeType: changeType.describe('Main change type'),
  changeTypes: z.array(changeType).describe('Every type the change carries'),
  priority,
  summary: z.string().describe('One-line description of the change'),
  timestamp: z.string().describe('ISO time the change was recorded'),
  files: z.array(z.string()).optional().describe('Changed files (capped)'),
  commit: z.string().optional().describe('Commit SHA in the source repo'),
  viaRoles: z.array(z.string()).describe('Dependency chain the update travelled to reach you (empty when direct)'),
});

export const syncPoint = z.object({
  syncPointId: z.string().describe('Sync point id'),
  description: z.string().describe('What the barrier is for'),
  requestedBy: z.object({ sessionId: z.string(), role: z.string() }).describe('Who asked for it'),
  participants: z.array(z.string()).describe('Roles that must acknowledge'),
  acknowledgedBy: z.array(z.string()).describe('Roles that have acknowledged'),
  remaining: z.array(z.string()).describe('Roles still to acknowledge'),
  status: z.enum(['pending', 'resolved', 'expired']).describe('pending, resolved (all acknowledged) or expired (timed out)'),
  expiresAt: z.string().describe('ISO time it expires if not resolved'),
});

export const change = z.object({
  id: z.string().describe('Event id'),
  changeTypes: z.array(changeType).describe('Change types'),
  priority,
  summary: z.string().describe('One-line description'),
  timestamp: z.string().describe('ISO time'),
  commit: z.string().optional().describe('Commit SHA, for committed changes'),
  files: z.array(z.string()).optional().describe('Changed files (capped)'),
});
