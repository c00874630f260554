// Entry point the post-commit hook starts in the background: `node dist/git-hooks/ingest.js <common-dir>`.
// Ingests what is new, then lingers: it keeps the repo's ingest lock (so the hook starts no other
// node) and ingests the pokes as they come (a pass takes those of GATHER_MS), until no poke came
// for the linger time or a server of the repo takes the pokes over. A burst of commits thus costs
// one node start. Prints nothing (nobody reads it); the last failure goes to
// `<common-dir>/orchestrator/ingest.log`. Imports stay lean (no MCP SDK, no watcher library).
import { setPriority } from 'node:os';
import type { PokeLocation } from '../app/operations/ingest-commits.js';

/** How long the ingester stays after the last poke (ms); `CLAUDE_ORCHESTRATOR_INGEST_LINGER_MS` overrides (0: no lingering). */
export const LINGER_MS = 3000;
/** A missed file event costs at most this much delay: the poke file's size is also polled (ms). */
const POLL_MS = 100;
/**
 * A poke waits this long (ms) for the pokes of the next commits of a burst before a pass runs:
 * one pass then takes several commits. A pass per poke kept the ingester busy beside every
 * commit of a burst, and on a loaded machine that cost each commit more than starting a node
 * per commit did (bench/burst.js).
 */
const GATHER_MS = 60;
/** Niceness of the ingester and its git children: the user's next commits get the CPU first. */
const NICENESS = 10;
const LOG_LIMIT = 64 * 1024;

// Before the imports below (most of the start-up CPU): yield to the user's commits from here on.
try {
  setPriority(NICENESS);
} catch {
  // Not allowed here: run at the normal priority.
}

const { appendFileSync, statSync, watch, writeFileSync } = await import('node:fs');
const { ingestLogFile, ingestRepo } = await import('../app/operations/ingest-commits.js');
const { resolveHome } = await import('../config/home.js');

function lingerMs(env: NodeJS.ProcessEnv): number {
  const value = Number(env.CLAUDE_ORCHESTRATOR_INGEST_LINGER_MS);
  return env.CLAUDE_ORCHESTRATOR_INGEST_LINGER_MS !== undefined && Number.isFinite(value) && value >= 0 ? value : LINGER_MS;
}

/**
 * Runs `pass` on every change of the poke file (a folder watch, and a poll as the safety net)
 * until `quietMs` passed with no poke and no pass running. Passes run one at a time; a poke
 * during a pass makes one more. A failing pass is logged and does not end the lingering.
 */
function linger(commonDir: string, quietMs: number, pass: () => Promise<number>, poke: PokeLocation): Promise<void> {
  if (quietMs <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    let last = poke.size();
    let running = false;
    let again = false;
    let quiet: NodeJS.Timeout | undefined;
    let watcher: ReturnType<typeof watch> | null = null;
    const done = () => {
      clearInterval(poll);
      clearTimeout(quiet);
      clearTimeout(gathering);
      watcher?.close();
      resolve();
    };
    const arm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => (running ? undefined : done()), quietMs);
    };
    let gathering: NodeJS.Timeout | undefined;
    /** A pass after GATHER_MS, taking whatever pokes came meanwhile. */
    const gather = () => {
      clearTimeout(quiet);
      gathering ??= setTimeout(() => {
        gathering = undefined;
        void run();
      }, GATHER_MS);
    };
    const run = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      again = false;
      last = poke.size();
      try {
        await pass();
      } catch (error) {
        log(commonDir, (error as Error).stack ?? String(error));
      }
      running = false;
      // Poked during the pass: the next pass gathers too, rather than following at once.
      if (again || poke.size() !== last) gather();
      else arm();
    };
    const check = () => {
      // A server of the repo started meanwhile: it ingests on the poke at once, where a pass
      // here waits GATHER_MS, and it cannot while this process holds the ingest lock.
      if (!running && poke.claimed()) return done();
      if (poke.size() !== last && !running) gather();
      else if (running && poke.size() !== last) again = true;
    };
    const poll = setInterval(check, POLL_MS);
    try {
      // The folder, not the file: the file may be started over.
      watcher = watch(poke.folder, (_event, name) => {
        if (name === null || name === poke.file) check();
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = null; // The poll goes on.
      });
    } catch {
      watcher = null;
    }
    arm();
  });
}

async function main(): Promise<void> {
  const commonDir = process.argv[2];
  if (!commonDir) {
    process.stderr.write('usage: ingest.js <git-common-dir>\n');
    process.exitCode = 2;
    return;
  }
  const quietMs = lingerMs(process.env);
  try {
    await ingestRepo(resolveHome(process.env), commonDir, { linger: (pass, poke) => linger(commonDir, quietMs, pass, poke) });
  } catch (error) {
    log(commonDir, (error as Error).stack ?? String(error));
    process.exitCode = 1;
  }
}

function log(commonDir: string, text: string): void {
  const file = ingestLogFile(commonDir);
  try {
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      // No log yet.
    }
    const line = `${new Date().toISOString()} ${text}\n`;
    if (size > LOG_LIMIT) writeFileSync(file, line);
    else appendFileSync(file, line);
  } catch {
    // Logging is best effort.
  }
}

await main();
