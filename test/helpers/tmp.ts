// Temporary folders for tests, removed when the test process exits.
import './clean-env.mjs'; // tests never depend on the developer's environment, however they are started
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];
let hooked = false;

/** A fresh empty folder; deleted (with everything in it) at process exit. */
export function tempDir(prefix = 'orchestrator-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const path of created) rmSync(path, { recursive: true, force: true, maxRetries: 3 });
    });
  }
  return dir;
}
