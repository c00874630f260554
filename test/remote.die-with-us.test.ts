// Git processes we start for a sync die with us, even when we are killed with SIGKILL, with the
// helpers they start (upload-pack, git-remote-http); no lock is left for the next sync; a server
// whose client goes away mid-sync exits promptly (issue 12, case 3).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cliJson, spawnCli } from './helpers/cli.js';
import { gitSync } from './helpers/gitcli.js';
import { fsckClean, makeMachines, sync } from './helpers/machines.js';
import { startServer } from './helpers/mcp.js';
import { tempDir } from './helpers/tmp.js';

interface Proc {
  pid: number;
  ppid: number;
  args: string[];
}

/** Every live process (zombies left out: they have ended, whoever reaps them). */
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') continue;
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      out.push({ pid: Number(name), ppid: Number(ppid), args });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** `root` and every live process descending from it. */
function tree(root: number): Proc[] {
  const all = processes();
  const found = all.filter((p) => p.pid === root);
  for (let i = 0; i < found.length; i++) found.push(...all.filter((p) => p.ppid === found[i]!.pid));
  return found;
}

async function until<T>(what: string, check: () => T | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The processes of `pids` still alive after waiting up to `ms`. */
async function survivors(pids: number[], ms: number): Promise<Proc[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = processes().filter((p) => pids.includes(p.pid));
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function locks(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(d, entry.name));
      else if (entry.name.endsWith('.lock')) found.push(join(d, entry.name));
    }
  };
  walk(dir);
  return found;
}

/** A remote whose upload-pack (what `git fetch` runs on a path remote) records its pid and hangs. */
function hangingUploadPack(): { script: string; pids: string } {
  const dir = tempDir('orchestrator-hang-');
  const script = join(dir, 'hang-upload-pack');
  const pids = join(dir, 'pids');
  writeFileSync(script, `#!/bin/sh\necho $$ >> '${pids}'\nexec sleep 300\n`);
  chmodSync(script, 0o755);
  return { script, pids };
}

/**
 * Starts `start()` (a process that fetches from `origin` through a hanging upload-pack), kills it
 * with SIGKILL once upload-pack runs, and checks nothing it started survives and the next sync works.
 */
async function killDuringHangingFetch(start: (env: Record<string, string>, repo: string) => ChildProcess): Promise<void> {
  const m = makeMachines();
  const repo = join(m.homeA, 'coordination.git');
  await cliJson(m.a, ['remote', 'add', 'origin', m.bare]);
  assert.ok((await sync(m.a)).ok);
  const hang = hangingUploadPack();
  gitSync(repo, ['config', 'remote.origin.uploadpack', hang.script]);

  const child = start(m.a, repo);
  const exited = new Promise((r) => child.once('exit', r));
  await until('the upload-pack to start', () => existsSync(hang.pids));
  // git fetch, the shell it runs upload-pack through, upload-pack (now sleep), and the watcher.
  const started = tree(child.pid!);
  const fetch = started.find((p) => p.args.includes('fetch'));
  assert.ok(fetch, `git fetch runs: ${JSON.stringify(started.map((p) => p.args.join(' ')))}`);
  const uploadPack = Number(readFileSync(hang.pids, 'utf8').trim());
  // Read from /proc, which a loaded machine may show a moment late: waited for, not sampled once.
  const watcher = await until('a watcher beside git fetch', () =>
    processes().find((p) => p.args.includes('claude-orchestrator-watch') && p.args.includes(String(fetch!.pid))), 5_000);
  assert.ok(watcher, 'a watcher runs beside git fetch');
  const ours = [...new Set([...started.map((p) => p.pid), ...tree(fetch!.pid).map((p) => p.pid), uploadPack, watcher!.pid])].filter((pid) => pid !== child.pid);
  assert.ok(ours.includes(uploadPack), 'upload-pack descends from the sync');

  child.kill('SIGKILL');
  await exited;
  const left = await survivors(ours, 5_000);
  assert.equal(left.map((p) => p.args.join(' ')), [], 'nothing of that sync survives');

  gitSync(repo, ['config', '--unset', 'remote.origin.uploadpack']);
  assert.equal(locks(repo), [], 'no lock left');
  const next = await sync(m.a);
  assert.ok(next.ok, next.error ?? '');
  fsckClean(repo);
}

test('a CLI sync killed with SIGKILL during a hanging fetch leaves no git process and no lock; the next sync succeeds', async () => {
  await killDuringHangingFetch((env) => spawnCli(env, ['sync']));
});

test('an interactive fetch (git in our terminal group, not its own) dies with us too: its whole process tree', async () => {
  const run = pathToFileURL(resolve('dist/store/git/run.js')).href;
  await killDuringHangingFetch((env, repo) =>
    spawn(process.execPath, ['--input-type=module', '-e', `import { git } from ${JSON.stringify(run)};
await git({ gitDir: ${JSON.stringify(repo)} }, ['fetch', 'origin'], { timeoutMs: 60000, interactive: true, dieWithUs: true });`], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    }),
  );
});

/** An HTTP "remote" on loopback that accepts connections and never answers. */
async function silentHttp(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: NetServer = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/coordination.git`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

for (const how of ['closes its stdin', 'is killed with SIGKILL'] as const) {
  test(`a server whose client ${how} during a hanging http sync exits promptly and leaves no git-remote-http`, async () => {
    const m = makeMachines();
    const silent = await silentHttp();
    try {
      await cliJson(m.a, ['remote', 'add', 'origin', silent.url]);
      const server = await startServer({ ...m.a, CLAUDE_ORCHESTRATOR_SYNC_INTERVAL_MS: '600000', CLAUDE_ORCHESTRATOR_SYNC_DEBOUNCE_MS: '10' });
      const serverPid = server.transport.pid!;
      await server.call('register_session', { repoPath: m.platform.repos.gateway, projectGroup: 'my-platform' });
      // The write starts a background sync: git fetch, then its git-remote-http waiting forever.
      const helper = await until('git-remote-http to start', () =>
        tree(serverPid).find((p) => p.args.some((a) => a.includes('remote-http')) || (p.args[0]?.endsWith('git') && p.args[1] === 'remote-http')),
      );
      const ours = tree(serverPid).map((p) => p.pid).filter((pid) => pid !== serverPid);
      ours.push(...processes().filter((p) => p.args.includes('claude-orchestrator-watch')).filter((p) => ours.some((pid) => p.args.includes(String(pid)))).map((p) => p.pid));
      assert.ok(ours.includes(helper.pid));

      const started = Date.now();
      const gone = new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (!processes().some((p) => p.pid === serverPid)) {
            clearInterval(poll);
            resolve();
          }
        }, 25);
      });
      if (how === 'closes its stdin') {
        // Stdin closed by hand (the SDK's client would send SIGTERM 2 s later): the server exits by
        // itself, with code 0, within its close budget (1.5 s; more on a loaded machine), where it
        // used to wait for its sync's fetch to time out (120 s).
        const child = (server.transport as unknown as { _process: ChildProcess })._process;
        const exitCode = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
        child.stdin!.end();
        assert.is(await exitCode, 0, server.stderr());
        await gone;
        const ms = Date.now() - started;
        assert.ok(ms < 5_000, `exited ${ms} ms after its client went`);
        await server.close();
      } else {
        process.kill(serverPid, 'SIGKILL');
        await gone;
        await server.close();
      }
      const left = await survivors(ours, 5_000);
      assert.equal(left.map((p) => p.args.join(' ')), [], 'nothing of that sync survives');
      assert.equal(locks(join(m.homeA, 'coordination.git')), [], 'no lock left');
    } finally {
      await silent.close();
    }
  });
}

test.run();
