import acknowledgeSyncPoint from './acknowledge-sync-point.js';
import getCrossProjectUpdates from './get-cross-project-updates.js';
import getPendingSyncPoints from './get-pending-sync-points.js';
import getTopology from './get-topology.js';
import getUpdate from './get-update.js';
import heartbeat from './heartbeat.js';
import listGroupSessions from './list-group-sessions.js';
import notifyRelatedSessions from './notify-related-sessions.js';
import queryProjectState from './query-project-state.js';
import registerSession from './register-session.js';
import requestSyncPoint from './request-sync-point.js';
import unregisterSession from './unregister-session.js';

/** The eleven tools of the original README, in its order, then get_update (delivery states and contract diffs). */
export const tools = [
  registerSession,
  unregisterSession,
  heartbeat,
  getCrossProjectUpdates,
  notifyRelatedSessions,
  queryProjectState,
  listGroupSessions,
  requestSyncPoint,
  acknowledgeSyncPoint,
  getPendingSyncPoints,
  getTopology,
  // Beyond the README: updates in full (delivery states, contract diff).
  getUpdate,
] as const;
