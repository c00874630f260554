// Whether a process of this host still runs: for stale locks and sessions whose process died.
import { readFileSync } from 'node:fs';

/**
 * True while `pid` runs (EPERM means it exists under another user). A zombie is dead: it has
 * exited and only waits to be reaped, which a container's init may never do (Linux: its state in
 * `/proc/<pid>/stat`; elsewhere `kill(pid, 0)` alone).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return true; // No /proc (macOS), or gone meanwhile: kill(0) said it exists.
  }
}
