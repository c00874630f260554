// Two coordination homes ("machines") sharing one bare remote, over the same member repos.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliJson } from './cli.js';
import { makePlatform, type Platform } from './mcp.js';
import { tempDir } from './tmp.js';

export interface Machines {
  platform: Platform;
  /** Bare repo path of the shared remote. */
  bare: string;
  a: Record<string, string>;
  b: Record<string, string>;
  homeA: string;
  homeB: string;
}

export function makeBare(): string {
  const bare = join(tempDir('orchestrator-remote-'), 'coordination.git');
  execFileSync('git', ['init', '-q', '--bare', bare]);
  return bare;
}

/** A has the platform's topology; B starts empty and receives it on its first sync. */
export function makeMachines(): Machines {
  const platform = makePlatform({ CLAUDE_ORCHESTRATOR_SYNC_INTERVAL_MS: '0' });
  const homeB = join(tempDir('orchestrator-machine-b-'), 'home');
  mkdirSync(homeB, { recursive: true });
  return {
    platform,
    bare: makeBare(),
    a: platform.env,
    b: { ...platform.env, CLAUDE_ORCHESTRATOR_HOME: homeB },
    homeA: platform.home,
    homeB,
  };
}

export interface SyncResultJson {
  remote: string;
  ok: boolean;
  error: string | null;
  fetched: number;
  pushed: number;
  deleted: number;
  topology: string;
  conflict: { file: string; reason: string } | null;
  notices: string[];
}

export async function sync(env: Record<string, string>, allowFailure = false): Promise<SyncResultJson> {
  const report = await cliJson<{ remotes: SyncResultJson[] }>(env, ['sync'], allowFailure);
  const first = report.remotes[0];
  if (!first) throw new Error('sync reported no remote');
  return first;
}

export function fsckClean(gitDir: string): string {
  try {
    return execFileSync('git', [`--git-dir=${gitDir}`, 'fsck', '--no-progress', '--no-dangling'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`git fsck of ${gitDir} failed: ${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}
