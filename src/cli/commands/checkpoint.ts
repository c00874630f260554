// checkpoint: fold what is new and write the checkpoint that processes start from.
import type { CAC } from 'cac';
import type { CliContext } from '../context.js';
// Loaded on use: `--help` and other commands need not pay for it.
const operation = () => import('../../app/operations/checkpoint.js');

export function register(cli: CAC, ctx: CliContext): void {
  cli
    .command('checkpoint', 'Fold the records the checkpoint does not hold yet and write it (a server asks for this in the background after a long catch-up)')
    .action(async () => {
      const result = await (await operation()).refreshCheckpoint(ctx.env);
      ctx.out(result, () =>
        result.busy
          ? `another process is writing the checkpoint (${result.busy}): nothing to do`
          : result.written
            ? `checkpoint written: ${result.commitsRead} new record(s) folded in ${(result.ms / 1000).toFixed(1)} s`
            : `checkpoint up to date: ${result.commitsRead} record(s) newer than it, under the 1,000 that make it worth writing again`,
      );
    });
}
