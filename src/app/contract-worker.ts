// The worker thread contract diffs run in (src/app/contract-runner.ts): one diff per message,
// answered with its result. Kept apart so a diff that runs past its budget can be stopped by
// terminating the thread; nothing else is loaded here.
import { parentPort } from 'node:worker_threads';
import { diffContract, type ContractDiffInput } from '../contracts/index.js';

/** A request: one file's texts; answered with `{ id, diff }`. */
export interface ContractJob {
  id: number;
  input: ContractDiffInput;
}

parentPort?.on('message', (job: ContractJob) => {
  void diffContract(job.input).then((diff) => parentPort?.postMessage({ id: job.id, diff }));
});
