// The dashboard's data: the application's read operations over a coordination repo opened
// read-only (never created, no maintenance, nothing appended). The server and the page see
// only the shapes declared by those operations.
import { openApp } from '../app/open.js';
import { changeStamp } from '../app/operations/change-stamp.js';
import { overview, type DashboardOverview } from '../app/operations/overview.js';
import { TimelinePager, type TimelinePage, type TimelineQuery } from '../app/operations/timeline-page.js';

export type * from '../app/operations/overview.js';
export type * from '../app/operations/timeline-page.js';
export { ExpiredCursorError } from '../app/operations/timeline-page.js';

/** The dashboard's data source. */
export interface DashboardData {
  /** Changes when anything shown may have changed (see operations/change-stamp.ts). Cheap. */
  version(): Promise<string>;
  overview(): Promise<DashboardOverview>;
  /** One page of the timeline; throws `ExpiredCursorError` for a cursor it no longer knows. */
  timeline(query: TimelineQuery): Promise<TimelinePage>;
  close(): Promise<void>;
}

/** Opens the coordination repo of `env`. Errors: StoreError MISSING_REPO when there is none. */
export async function openDashboardData(env: NodeJS.ProcessEnv): Promise<DashboardData> {
  const app = await openApp({ env, create: false, maintenance: false });
  const pager = new TimelinePager(app.ctx);
  return {
    version: () => changeStamp(app.ctx),
    overview: () => overview(app.ctx),
    timeline: (query) => pager.page(query),
    close: async () => app.close(),
  };
}
