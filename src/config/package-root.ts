import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageDirectorySync } from 'package-directory';

let root: string | undefined;

/**
 * This installation's root (the folder of its package.json), found upwards from this module:
 * the same answer from src/ under tsx, from dist/ as tsc writes it, and from a bundle's chunk in
 * dist/chunks/ (scripts/bundle.js), where a path relative to `import.meta.url` would miss.
 * Throws if no package.json is above, which only a copied-out file can meet.
 */
export function packageRoot(): string {
  root ??= packageDirectorySync({ cwd: dirname(fileURLToPath(import.meta.url)) });
  if (root === undefined) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}: reinstall claude-orchestrator-mcp`);
  return root;
}
