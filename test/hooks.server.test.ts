// A running server of the committing repo's session ingests its commits itself: the hook then
// starts no node process at all.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { installHook } from '../src/app/operations/git-hooks.js';
import { commitAll, waitFor } from './helpers/hooks.js';
import { makePlatform, startServer } from './helpers/mcp.js';

test('with the auth session\'s server running, a commit reaches frontend although the hook can start nothing', async () => {
  const platform = makePlatform();
  const { auth } = platform.repos;
  // A hook whose node is /bin/false: any update that arrives was ingested by the server.
  await installHook(auth, { node: '/bin/false', ingest: resolve('dist/git-hooks/ingest.js'), home: platform.home, template: resolve('hooks/post-commit') });
  const authServer = await startServer(platform.env);
  const frontendServer = await startServer(platform.env);
  try {
    await authServer.call('register_session', { repoPath: auth, projectGroup: 'my-platform' });
    const f = await frontendServer.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.frontend, projectGroup: 'my-platform' });
    const claim = join(auth, '.git', 'orchestrator', 'server.pid');
    await waitFor('the server to claim ingestion', async () => existsSync(claim));

    mkdirSync(join(auth, 'prisma'), { recursive: true });
    writeFileSync(join(auth, 'prisma', 'schema.prisma'), 'model User { id Int @id }\n');
    const sha = commitAll(auth, 'feat: add the User model', { ...process.env, ...platform.env });
    const update = await waitFor('the update', async () => {
      const { updates } = await frontendServer.call<{ updates: Array<{ commit?: string; changeType: string; viaRoles: string[] }> }>(
        'get_cross_project_updates', { sessionId: f.sessionId });
      return updates.find((u) => u.commit === sha);
    });
    assert.is(update.changeType, 'schema_change');
    assert.equal(update.viaRoles, ['gateway']);

    await authServer.close();
    await waitFor('the claim to be released', async () => !existsSync(claim));
  } finally {
    await authServer.close().catch(() => undefined);
    await frontendServer.close();
  }
});

test.run();
