// The MCP server process's composition root: opens the application, registers the client's own
// session, and owns what runs in the background for the sessions it serves — the heartbeat
// timer, the repo followers and watchers (src/watch), and the background share with remotes.
// Logs go to stderr; stdout belongs to the protocol.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import type { AppContext } from '../app/context.js';
import { packageRoot } from '../config/package-root.js';
import { describeError } from '../app/errors.js';
import { startAutoSync, within, type AutoSync } from './share-timer.js';
import { openApp, type OpenedApp } from '../app/open.js';
import { keepServedAlive } from '../app/operations/heartbeat.js';
import { registerClientSession } from '../app/operations/client-session.js';
import { endServedSessions } from '../app/operations/unregister-session.js';
import { clientProjectFromEnv } from '../app/project-session.js';
import { ServedRepos } from '../watch/served-repos.js';

export interface ServerProcess {
  ctx: AppContext;
  /** The session registered for this process's client at start, if any. */
  clientSessionId(): string | undefined;
  /** Ends the sessions it serves, stops its background work, pushes once more, releases the repo. */
  close(reason: string): Promise<void>;
}

/**
 * How long a closing server takes at most before it lets its last sync go (ms), counted from the
 * start of `close`: the MCP SDK's client sends SIGTERM 2 s after closing the server's stdin, and
 * SIGKILL 2 s later. What is not pushed then goes with the next sync of any process.
 */
const CLOSE_BUDGET_MS = 1_500;

const log = (message: string) => console.error(`claude-orchestrator: ${message}`);

/**
 * Opens the app and starts the background work. The client's session is registered when the
 * client says which it is (Claude Code's CLAUDE_CODE_SESSION_ID and CLAUDE_PROJECT_DIR) and
 * the project is a member repo. Errors: those of `openApp` (the repo cannot be opened).
 */
export async function startServerProcess(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  // The server starts from the checkpoint's state file alone (lean, app/checkpoint.ts) and writes
  // no checkpoint; after a long catch-up (none yet, or an old one) it asks a short-lived process
  // to write one in the background, so the next server starts from it.
  const opened: OpenedApp = await openApp({ env, checkpoint: 'read', lean: true, onCheckpointDue: () => askForCheckpoint(env) });
  const { ctx, paths } = opened;
  const repos = new ServedRepos({ paths, ctx, env, log });
  const share: AutoSync = startAutoSync({ paths, store: ctx.store, topology: opened.topology, now: ctx.env.now }, {
    env,
    onResult: (report) => {
      for (const failed of report.remotes.filter((r) => !r.ok)) log(`sync with ${failed.remote} failed: ${failed.error}`);
    },
  });
  ctx.listeners = {
    written: () => share.notifyWrite(),
    owned: (session) => repos.serve(session),
    released: (sessionId) => void repos.release(sessionId),
  };
  ctx.notices = () => {
    const error = share.status().lastError;
    return error ? [`sharing with the remote is failing (${error}); records stay local until it works again: see claude-orchestrator status`] : [];
  };
  const client = clientProjectFromEnv(env);
  ctx.clientSession = client?.clientSession;
  let clientSessionId: string | undefined;
  if (client) {
    const registered = await registerClientSession(ctx, client).catch((error) => {
      log(`could not register the session for ${client.projectDir}: ${describeError(error)}`);
      return null;
    });
    clientSessionId = registered?.sessionId;
  }
  const timer = setInterval(() => {
    void keepServedAlive(ctx).then((failures) => {
      for (const f of failures) log(`heartbeat for ${f.sessionId}: ${describeError(f.error)}`);
    });
  }, ctx.settings.heartbeatMs);
  timer.unref();

  return {
    ctx,
    clientSessionId: () => clientSessionId,
    async close(reason) {
      const deadline = Date.now() + CLOSE_BUDGET_MS;
      clearInterval(timer);
      await endServedSessions(ctx, reason);
      await repos.close();
      // One last push of what this process wrote (the session's end), when a remote is set,
      // within CLOSE_BUDGET_MS: a client that goes away waits little before killing its server,
      // and a remote that hangs must not keep a closing server alive (its git commands end with it).
      if (Date.now() < deadline) await within(share.syncNow(), deadline - Date.now());
      await share.stop(Math.max(0, deadline - Date.now()));
      opened.close();
    },
  };
}

/** The checkpoint writer's niceness: its fold (~20 s of CPU at 1M records) yields to the user's work. */
const CHECKPOINT_NICENESS = 10;

/**
 * Starts `claude-orchestrator checkpoint` detached, at CHECKPOINT_NICENESS, its output discarded: it
 * folds what this server just read once more and writes the checkpoint (one at a time, under its
 * lock). Nothing when the built CLI is missing (running from source).
 */
function askForCheckpoint(env: NodeJS.ProcessEnv): void {
  const cli = join(packageRoot(), 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) return;
  try {
    const child = spawn(process.execPath, [cli, 'checkpoint'], { env, detached: true, stdio: 'ignore' });
    child.on('error', (error) => log(`could not start the checkpoint writer: ${describeError(error)}`));
    if (child.pid) setPriority(child.pid, CHECKPOINT_NICENESS);
    child.unref();
  } catch (error) {
    log(`could not start the checkpoint writer: ${describeError(error)}`);
  }
}
