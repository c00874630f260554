#!/usr/bin/env node
// The claude-orchestrator command. All the work is in program.ts; this only wires the process.
import { createContext } from './context.js';
import { run } from './program.js';

const code = await run(process.argv.slice(2), createContext());
process.exitCode = code;
