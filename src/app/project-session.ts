// Which group and role a client's project directory belongs to (the member repo holding it), and
// which client the environment names. Registering is operations/client-session.ts.
import { realpathSync } from 'node:fs';
import { membersForPath } from '../core/graph.js';
import type { Topology } from '../core/types.js';

export interface ProjectSessionTarget {
  projectGroup: string;
  role: string;
  /** The member repo's path as the topology spells it. */
  repoPath: string;
  /** Other groups the same repo belongs to (the first match wins; these are not joined). */
  alsoIn: string[];
}

/** The client session and project directory Claude Code gives its MCP servers (and hooks). */
export interface ClientProject {
  clientSession: string;
  projectDir: string;
}

/**
 * The member repo containing `projectDir` (the innermost when repos nest), or null when it is in
 * no group. A repo in several groups resolves to the first group in topology order. Symlinks
 * are resolved when the path as given matches nothing.
 */
export function resolveProjectSession(topology: Topology, projectDir: string): ProjectSessionTarget | null {
  let found = membersForPath(topology, projectDir);
  if (found.length === 0) {
    let real: string | null = null;
    try {
      real = realpathSync(projectDir);
    } catch {
      real = null;
    }
    if (real && real !== projectDir) found = membersForPath(topology, real);
  }
  const first = found[0];
  if (!first) return null;
  const alsoIn = [...new Set(found.slice(1).filter((f) => f.member.path === first.member.path).map((f) => f.groupName))]
    .filter((g) => g !== first.groupName);
  return { projectGroup: first.groupName, role: first.member.role, repoPath: first.member.path, alsoIn };
}

/** `CLAUDE_CODE_SESSION_ID` and `CLAUDE_PROJECT_DIR`, when both are set. */
export function clientProjectFromEnv(env: NodeJS.ProcessEnv): ClientProject | null {
  const clientSession = env.CLAUDE_CODE_SESSION_ID?.trim();
  const projectDir = env.CLAUDE_PROJECT_DIR?.trim();
  return clientSession && projectDir ? { clientSession, projectDir } : null;
}
