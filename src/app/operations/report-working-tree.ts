// A served session's uncommitted edits changed (the working-tree watcher says so): record them
// for query_project_state, and announce them only where a rule opts in (`uncommitted: true`).
import { MAX_FILES_PER_RECORD } from '../../core/records.js';
import { route } from '../../core/routing.js';
import type { ChangeType } from '../../core/types.js';
import { sessionRef } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { randomId } from '../ids.js';
import { writeRecord } from '../write.js';

/** What a working tree holds now: its changed files (all counted, some listed) and their types. */
export interface WorkingTreeSnapshot {
  files: string[];
  fileCount: number;
  types: ChangeType[];
}

/** Writes a `worktree` record and, where a rule opts in, an `event`. A session unknown or ended is skipped. */
export async function reportWorkingTree(ctx: AppContext, sessionId: string, snapshot: WorkingTreeSnapshot): Promise<void> {
  const found = ctx.state.findSession(sessionId);
  if (!found || found.facts.ended) return;
  const { group: state, facts } = found;
  const role = facts.registered.role;
  const base = { group: state.name, role, session: sessionId, at: ctx.env.now() };
  await writeRecord(ctx, sessionRef(sessionId), {
    kind: 'worktree', id: randomId('wt'), ...base,
    files: snapshot.files.slice(0, MAX_FILES_PER_RECORD), fileCount: snapshot.fileCount, types: snapshot.types,
  });
  if (snapshot.types.length === 0) return;
  const group = (await ctx.topology.current()).groups[state.name];
  if (!group) return;
  const routed = route(group, { fromRole: role, types: snapshot.types, uncommitted: true });
  if (routed.targets.length === 0) return;
  await writeRecord(ctx, sessionRef(sessionId), {
    kind: 'event', id: randomId('ev'), ...base, types: snapshot.types, priority: routed.priority, targets: routed.targets,
    source: 'working-tree', summary: `editing ${snapshot.fileCount} file(s), not committed yet: ${snapshot.files.slice(0, 5).join(', ')}`,
    files: snapshot.files.slice(0, MAX_FILES_PER_RECORD), fileCount: snapshot.fileCount,
  });
}
