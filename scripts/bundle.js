// Bundles each entry point over the files tsc wrote, so a process loads a few files instead of
// hundreds: node resolves and reads every ES module on its own, and the MCP SDK, zod and ajv are
// ~300 of them (a minimal SDK server answers tools/list at ~2.2x `node -e 0` bundled, ~3.6x not;
// docs/performance.md).
// Dynamic imports stay lazy: each becomes a shared chunk under dist/chunks/. The contract
// formats' parsers (typescript, graphql, protobufjs...) stay external: only the contract worker
// loads them, and bundling typescript alone would add 9 MB.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const ENTRIES = ['src/index.ts', 'src/cli/main.ts', 'src/claude-hooks/hook-main.ts', 'src/git-hooks/ingest.ts', 'src/app/contract-worker.ts'];
const EXTERNAL = ['typescript', 'graphql', '@graphql-inspector/core', 'node-sql-parser', 'protobufjs', 'api-smart-diff', 'open'];

// Chunks are named by content: the last build's would stay beside the new ones, never loaded.
rmSync('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: ENTRIES,
  outbase: 'src',
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // CommonJS dependencies call require() for node's modules; an ES module has none of its own.
  banner: { js: "import { createRequire as __orchestratorRequire } from 'node:module'; const require = __orchestratorRequire(import.meta.url);" },
  allowOverwrite: true,
  logLevel: 'warning',
});
