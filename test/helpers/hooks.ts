// Commit-ingestion helpers: install the real hook from this checkout, read the change records back.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { ChangeEvent } from '../../src/core/records.js';
import { installHook, type HookRuntime } from '../../src/app/operations/git-hooks.js';
import { GitStore } from '../../src/store/index.js';

export function runtimeFor(home: string): HookRuntime {
  return { node: process.execPath, ingest: resolve('dist/git-hooks/ingest.js'), home, template: resolve('hooks/post-commit') };
}

export async function install(repo: string, home: string) {
  return installHook(repo, runtimeFor(home));
}

/** Every change record written by commit ingestion, oldest first per ref. */
export async function changeRecords(home: string): Promise<ChangeEvent[]> {
  const store = await GitStore.open(join(home, 'coordination.git'));
  try {
    const out: ChangeEvent[] = [];
    for (const [ref, tip] of await store.listRefs(['refs/orchestrator/changes/'])) {
      const commits = await store.walk(tip);
      for (const c of commits.reverse()) if (c.record?.kind === 'event') out.push(c.record);
      void ref;
    }
    return out;
  } finally {
    store.close();
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Commits everything in the repo's worktree with the message; returns the new HEAD. */
export function commitAll(repo: string, message: string, env: NodeJS.ProcessEnv = process.env): string {
  execFileSync('git', ['add', '-A'], { cwd: repo, env });
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
}
