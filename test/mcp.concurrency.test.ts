// Many server processes writing the coordination repo at once: nothing lost, nothing twice.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlatform, startServer } from './helpers/mcp.js';
import type { Server } from './helpers/mcp.js';

const SENDERS = 8;
const EACH = 50;

test(`${SENDERS} servers send ${EACH} notifications each at once; the receiver gets all, each once; fsck is clean`, async () => {
  const platform = makePlatform();
  const receiver = await startServer(platform.env);
  const senders: Server[] = await Promise.all(Array.from({ length: SENDERS }, () => startServer(platform.env)));
  try {
    const f = await receiver.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.frontend, projectGroup: 'my-platform' });
    const ids = await Promise.all(
      senders.map((s) => s.call<{ sessionId: string }>('register_session', { repoPath: platform.repos.auth, projectGroup: 'my-platform' })),
    );
    const sent = await Promise.all(
      senders.map(async (server, n) => {
        const eventIds: string[] = [];
        for (let i = 0; i < EACH; i++) {
          const r = await server.call<{ eventId: string }>('notify_related_sessions', {
            sessionId: ids[n]!.sessionId, changeType: 'schema_change', summary: `sender ${n} change ${i}`,
          });
          eventIds.push(r.eventId);
        }
        return eventIds;
      }),
    );
    const expected = new Set(sent.flat());
    assert.is(expected.size, SENDERS * EACH);

    const received: string[] = [];
    for (;;) {
      const page = await receiver.call<{ updates: Array<{ id: string }>; remaining: number }>('get_cross_project_updates', { sessionId: f.sessionId, limit: 100 });
      received.push(...page.updates.map((u) => u.id));
      if (page.updates.length === 0) break;
    }
    assert.is(received.length, SENDERS * EACH, 'every notification received');
    assert.is(new Set(received).size, received.length, 'none twice');
    assert.ok(received.every((id) => expected.has(id)));

    const gitDir = join(platform.home, 'coordination.git');
    execFileSync('git', ['--git-dir', gitDir, 'fsck', '--strict', '--no-progress'], { stdio: 'pipe' });
    const count = execFileSync('git', ['--git-dir', gitDir, 'log', '--all', '--format=%s', '--grep', '^Kind: event$'], { encoding: 'utf8' })
      .trim().split('\n').length;
    assert.is(count, SENDERS * EACH, 'one event commit per notification');
  } finally {
    await Promise.all([receiver, ...senders].map((s) => s.close()));
  }
});

test.run();
