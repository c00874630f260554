// One Claude Code session registered at once by several processes: its MCP server (which
// registers its client's session when it opens) and SessionStart hooks, all real processes. Each
// reads the records, finds no live session and decides to register it; the race is made certain
// by holding the session ref's lock (git's `<ref>.lock`, as a concurrent writer would) until every
// one of them has built its registration commit and waits for the lock. Exactly one registration
// may land; the others must adopt it (the server with a heartbeat naming itself, a hook silently).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sessionIdFor } from '../src/app/ids.js';
import { openApp } from '../src/app/open.js';
import { registerSession } from '../src/app/operations/register-session.js';
import { unregisterSession } from '../src/app/operations/unregister-session.js';
import { hookJson, runHook, type HookResult } from './helpers/claude.js';
import { git, makePlatform, SERVER_ENTRY } from './helpers/mcp.js';

const platform = makePlatform();
const { frontend } = platform.repos;
const gitDir = join(platform.home, 'coordination.git');
const HOOKS = 3;

/** Loose commit objects in the coordination repo that register `sessionId`. */
function registrationObjects(sessionId: string): Set<string> {
  const found = new Set<string>();
  const objects = join(gitDir, 'objects');
  for (const dir of readdirSync(objects)) {
    if (!/^[0-9a-f]{2}$/.test(dir)) continue;
    for (const name of readdirSync(join(objects, dir))) {
      let text: string;
      try {
        text = inflateSync(readFileSync(join(objects, dir, name))).toString('utf8');
      } catch {
        continue; // being written
      }
      if (text.startsWith('commit ') && text.includes('"kind":"session.registered"') && text.includes(`"session":"${sessionId}"`)) found.add(dir + name);
    }
  }
  return found;
}

/** The records on the session's ref, oldest first. */
function recordsOn(sessionId: string): Array<{ kind: string; pid?: number }> {
  const ref = `refs/orchestrator/sessions/${sessionId}`;
  if (!existsSync(join(gitDir, ref))) return [];
  return git(gitDir, ['log', '--reverse', '--format=%(trailers:key=Orchestrator-Record,valueonly)', ref])
    .split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
}

async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts the server and HOOKS SessionStart hooks of one Claude Code session (`client`, played
 * by a `sleep` process) while the session ref is locked, releases the lock once all of them wait
 * on it, and returns what the hooks printed, with the server's pid.
 */
async function race(client: string, source: 'startup' | 'resume'): Promise<{ hooks: HookResult[]; serverPid: number; raced: number; stop: () => Promise<void> }> {
  const sessionId = sessionIdFor('frontend', client, 'my-platform');
  const lock = join(gitDir, `refs/orchestrator/sessions/${sessionId}.lock`);
  mkdirSync(dirname(lock), { recursive: true });
  writeFileSync(lock, '');
  // A lock older than 5 s is taken for a dead writer's: keep ours young while it is held.
  const fresh = setInterval(() => utimesSync(lock, new Date(), new Date()), 500);
  const before = registrationObjects(sessionId);
  const claude = spawn('sleep', ['120'], { stdio: 'ignore' });
  let server: ChildProcess | undefined;
  try {
    server = spawn(process.execPath, [SERVER_ENTRY], {
      env: { PATH: process.env.PATH ?? '', ...platform.env, CLAUDE_CODE_SESSION_ID: client, CLAUDE_PROJECT_DIR: frontend },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let serverLog = '';
    server.stderr!.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
    const hookEnv = {
      ...platform.env, CLAUDE_PROJECT_DIR: frontend, CLAUDE_ORCHESTRATOR_CLIENT_PID: String(claude.pid),
      CLAUDE_ORCHESTRATOR_HOOK_BUDGET_MS: '30000', CLAUDE_ORCHESTRATOR_DEBUG: '1',
    };
    const hooks = Array.from({ length: HOOKS }, () => runHook('session-start', hookJson('session-start', client, frontend, { source }), hookEnv));
    // Every process read no live session and built its registration: all wait on the lock now.
    // (Ref writers give up after 10 s of waiting: release after 6 s whatever happened.)
    let firstSeen = 0;
    let raced = 0;
    await until('every registration commit', 60_000, () => {
      raced = [...registrationObjects(sessionId)].filter((sha) => !before.has(sha)).length;
      if (raced > 0 && !firstSeen) firstSeen = Date.now();
      return raced >= HOOKS + 1 || (firstSeen > 0 && Date.now() - firstSeen > 6_000);
    });
    clearInterval(fresh);
    unlinkSync(lock);
    const done = await Promise.all(hooks);
    const serverPid = server.pid!;
    await until(`the server's record (${serverLog})`, 20_000, () => recordsOn(sessionId).some((r) => r.pid === serverPid));
    const running = server;
    return {
      hooks: done,
      serverPid,
      raced,
      stop: async () => {
        const exited = new Promise((r) => running.once('exit', r));
        running.stdin!.end();
        await exited;
        claude.kill();
      },
    };
  } catch (error) {
    clearInterval(fresh);
    if (existsSync(lock)) unlinkSync(lock);
    server?.kill();
    claude.kill();
    throw error;
  }
}

async function assertOneOwner(client: string, sessionId: string, serverPid: number): Promise<void> {
  const app = await openApp({ env: { ...process.env, ...platform.env } });
  try {
    await app.ctx.records.refresh();
    const sessions = app.ctx.state.sessionsOfClient(client);
    assert.is(sessions.length, 1);
    const facts = sessions[0]!.facts;
    assert.is(facts.registered.session, sessionId);
    assert.not.ok(facts.ended);
    // The server answers for it and follows the repo's commits, as when it registers alone.
    assert.is(facts.pid, serverPid);
    assert.is(facts.commits, 'server');
  } finally {
    app.close();
  }
}

test.before(async () => {
  (await openApp({ env: { ...process.env, ...platform.env } })).close(); // the coordination repo
});

test('the server and SessionStart hooks registering one session at once: one registration', async () => {
  const client = 'race-startup';
  const sessionId = sessionIdFor('frontend', client, 'my-platform');
  const { hooks, serverPid, raced, stop } = await race(client, 'startup');
  try {
    assert.ok(raced >= 2, `processes that tried to register at once: ${raced}`);
    for (const hook of hooks) {
      assert.is(hook.code, 0);
      assert.match(hook.json?.hookSpecificOutput?.additionalContext ?? '', `this session is ${sessionId}`, hook.stderr);
    }
    const registrations = recordsOn(sessionId).filter((r) => r.kind === 'session.registered');
    assert.is(registrations.length, 1, JSON.stringify(recordsOn(sessionId)));
    await assertOneOwner(client, sessionId, serverPid);
  } finally {
    await stop();
  }
});

test('re-registering an ended session at once (a resume): one new registration', async () => {
  const client = 'race-resume';
  const app = await openApp({ env: { ...process.env, ...platform.env } });
  let sessionId: string;
  try {
    sessionId = (await registerSession(app.ctx, { repoPath: frontend, projectGroup: 'my-platform', clientSession: client })).sessionId;
    await unregisterSession(app.ctx, { sessionId, reason: 'client went away' });
  } finally {
    app.close();
  }
  const { hooks, serverPid, raced, stop } = await race(client, 'resume');
  try {
    assert.ok(raced >= 2, `processes that tried to register at once: ${raced}`);
    for (const hook of hooks) assert.match(hook.json?.hookSpecificOutput?.additionalContext ?? '', `this session is ${sessionId}`, hook.stderr);
    const kinds = recordsOn(sessionId).map((r) => r.kind);
    // The first run, its end, then one registration reviving it (and the adoptions: heartbeats).
    assert.equal(kinds.filter((k) => k !== 'session.heartbeat' && k !== 'announced').slice(0, 3), ['session.registered', 'session.ended', 'session.registered'], kinds.join(' '));
    assert.is(kinds.filter((k) => k === 'session.registered').length, 2, kinds.join(' '));
    await assertOneOwner(client, sessionId, serverPid);
  } finally {
    await stop();
  }
});

test.run();
