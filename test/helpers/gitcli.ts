// The git CLI, for tests that check what real git sees in a repo.
import { execFileSync } from 'node:child_process';

export function gitSync(gitDir: string, args: string[]): string {
  return execFileSync('git', [`--git-dir=${gitDir}`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
