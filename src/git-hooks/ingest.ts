// Entry point the post-commit hook starts in the background: `node dist/git-hooks/ingest.js <common-dir>`.
// Prints nothing (nobody reads it); the last failure goes to `<common-dir>/orchestrator/ingest.log`.
// Imports stay lean (no MCP SDK, no watcher) to keep the per-commit CPU cost down.
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { ingestLogFile, ingestRepo } from '../app/operations/ingest-commits.js';
import { resolveHome } from '../config/home.js';

const LOG_LIMIT = 64 * 1024;

async function main(): Promise<void> {
  const commonDir = process.argv[2];
  if (!commonDir) {
    process.stderr.write('usage: ingest.js <git-common-dir>\n');
    process.exitCode = 2;
    return;
  }
  try {
    await ingestRepo(resolveHome(process.env), commonDir);
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
