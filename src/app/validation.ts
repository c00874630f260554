// Checks of what callers pass, with errors that say what was wrong and what to do.
import { memberForPath, memberByRole, rolesOf } from '../core/graph.js';
import { nameProblem } from '../core/names.js';
import { MAX_SUMMARY_CHARS } from '../core/records.js';
import type { Group, Topology } from '../core/types.js';
import { UserError } from './errors.js';

export function requireGroup(topology: Topology, name: string): Group {
  const group = topology.groups[name];
  if (!group) {
    const known = Object.keys(topology.groups);
    throw new UserError('UNKNOWN_GROUP', `unknown project group ${JSON.stringify(name)} (groups: ${known.join(', ') || 'none'})`,
      `Create it with: claude-orchestrator group create ${nameProblem(name) ? '<name>' : name}`);
  }
  return group;
}

export function unknownRole(group: Group, role: string): UserError {
  return new UserError('UNKNOWN_ROLE', `no role ${JSON.stringify(role)} in group ${group.name} (roles: ${rolesOf(group).join(', ') || 'none'})`,
    'See get_topology for the members of the group');
}

export function memberRoleForPath(topology: Topology, group: Group, repoPath: string): string {
  const found = memberForPath({ version: topology.version, groups: { [group.name]: group } }, repoPath);
  if (!found) {
    throw new UserError('NOT_A_MEMBER', `${repoPath} is not a member of group ${group.name}`,
      `Pass your role, or add the repo with: claude-orchestrator member add ${group.name} ${repoPath} --role <role>`);
  }
  return found.member.role;
}

export function checkRoles(group: Group, roles: readonly string[], field: string): void {
  const unknown = roles.filter((r) => !memberByRole(group, r));
  if (unknown.length) throw new UserError('UNKNOWN_ROLE', `${field}: no role ${unknown.map((r) => JSON.stringify(r)).join(', ')} in group ${group.name} (roles: ${rolesOf(group).join(', ')})`, 'Use roles from get_topology');
}

/** Longest current task accepted, in characters: it is shown in every session listing. */
export const MAX_TASK_CHARS = 500;
/** Most files one notification may name; the record keeps the first MAX_FILES_PER_RECORD. */
export const MAX_FILES_PER_CALL = 10_000;

export function checkText(field: string, text: string, max = MAX_SUMMARY_CHARS): void {
  if (text.length > max) {
    throw new UserError('INVALID_INPUT', `${field} is ${text.length} characters; the limit is ${max}`,
      'Shorten it to a line or two and put details in the files or a commit');
  }
  if (!text.trim()) throw new UserError('INVALID_INPUT', `${field} is empty`, 'Say what changed');
}

export function checkTask(task: string | undefined): void {
  if (task !== undefined && task.length > MAX_TASK_CHARS) {
    throw new UserError('INVALID_INPUT', `currentTask is ${task.length} characters; the limit is ${MAX_TASK_CHARS}`, 'Give it in one short line');
  }
}
