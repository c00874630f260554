// sync: share with the remotes — fetch the others' records, push ours, merge the topology
// (the work is in app/sync.ts; this names it as an operation over an opened application).
import type { OpenedApp } from '../open.js';
import { syncRemotes, type SyncOptions, type SyncReport } from '../sync.js';

export type { RemoteSyncResult, SyncReport } from '../sync.js';
export { SyncSetupError } from '../sync.js';

/** One share with every remote (or `options.remote`). Errors: SyncSetupError (SYNC_SETUP) for a setup the user must fix. */
export function share(app: OpenedApp, options: SyncOptions = {}): Promise<SyncReport> {
  return syncRemotes({ paths: app.paths, store: app.ctx.store, topology: app.topology, now: app.ctx.env.now }, options);
}
