// The orchestrator session of a client session working in a project directory: which group and
// role the directory belongs to, and registering (or adopting) that session. Used by the MCP
// server at start and by Claude Code's SessionStart hook, so whichever runs first creates the
// session and the other finds the same id (sessionIdFor is derived from the client session).
import { realpathSync } from 'node:fs';
import { membersForPath } from '../core/graph.js';
import type { Topology } from '../core/types.js';
import type { Orchestrator } from './orchestrator.js';

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

export type RegisteredSession = Awaited<ReturnType<Orchestrator['registerSession']>>;

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

/**
 * Registers the session of `client` (default: from `env`) for the member repo containing its
 * project directory. Null when the environment names no client session or the directory is in
 * no group. When the session exists already (the client's hook registered it), registerSession
 * adopts it with a heartbeat instead of registering a second one.
 */
export async function ensureProjectSession(
  orchestrator: Orchestrator,
  topology: Topology,
  env: NodeJS.ProcessEnv,
  client: ClientProject | null = clientProjectFromEnv(env),
): Promise<RegisteredSession | null> {
  if (!client) return null;
  const target = resolveProjectSession(topology, client.projectDir);
  if (!target) return null;
  return orchestrator.registerSession({
    repoPath: target.repoPath,
    projectGroup: target.projectGroup,
    role: target.role,
    clientSession: client.clientSession,
  });
}
