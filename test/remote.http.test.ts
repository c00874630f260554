// The same sharing scenario over smart HTTP (git http-backend on loopback), as a user with a
// self-hosted or hosted https remote would use it.
import { test } from 'uvu';
import { join } from 'node:path';
import { serveHttp, type HttpGit } from './helpers/http-git.js';
import { fsckClean, makeMachines } from './helpers/machines.js';
import type { Server } from './helpers/mcp.js';
import { shareScenario } from './helpers/share-scenario.js';

const servers: Server[] = [];
let http: HttpGit | undefined;
test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await http?.close();
});

test('two machines over an http remote: updates, sync points and topology edits meet', async () => {
  const m = makeMachines();
  http = await serveHttp(m.bare);
  await shareScenario(m, http.url, http.url, servers);
  fsckClean(m.bare);
  fsckClean(join(m.homeA, 'coordination.git'));
  fsckClean(join(m.homeB, 'coordination.git'));
});

test.run();
