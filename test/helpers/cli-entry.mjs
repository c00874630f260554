// The CLI as a real process: the program's own command modules, plus the sharing commands when
// the program does not register them yet. Used by tests through cli.ts.
import { createContext } from '../../dist/cli/context.js';
import { COMMAND_MODULES, run } from '../../dist/cli/program.js';
import * as remote from '../../dist/cli/commands/remote.js';
import * as sync from '../../dist/cli/commands/sync.js';
import * as log from '../../dist/cli/commands/log.js';
import * as status from '../../dist/cli/commands/status.js';
import * as prune from '../../dist/cli/commands/prune.js';

const modules = [...COMMAND_MODULES];
for (const module of [remote, sync, log, status, prune]) if (!modules.includes(module)) modules.push(module);
process.exitCode = await run(process.argv.slice(2), createContext(), modules);
