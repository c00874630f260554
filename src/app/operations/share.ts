// sync: share with the remotes — fetch the others' records, push ours, merge the topology
// (the work is in app/share.ts; this names it as an operation over an opened application).
import type { OpenedApp } from '../open.js';
import { syncRemotes, type ShareOptions, type SyncReport } from '../share.js';

export type { RemoteSyncResult, SyncReport } from '../share.js';
export { SyncSetupError } from '../share.js';

/** One share with every remote (or `options.remote`). Errors: SyncSetupError (SYNC_SETUP) for a setup the user must fix. */
export async function share(app: OpenedApp, options: ShareOptions = {}): Promise<SyncReport> {
  return syncRemotes({ paths: app.paths, store: app.ctx.store, topology: await app.topology(), now: app.ctx.env.now }, options);
}
