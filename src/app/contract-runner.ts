// Runs contract diffs (src/contracts) in a worker thread with a hard time limit per file. A parse
// of a large document cannot be interrupted from inside, so past the limit the thread is
// terminated, that file gets "contract not compared: <reason>", and the next file starts a fresh
// thread. One thread per process, started on the first diff, stopped after a minute idle; it
// never keeps a process alive on its own.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { packageRoot } from '../config/package-root.js';
import { diffContract, type ContractDiff, type ContractDiffInput } from '../contracts/index.js';

/** Longest a file's diff may take in the worker, library loading included, before the thread is stopped (ms). */
export const CONTRACT_HARD_LIMIT_MS = 8000;
/** A worker idle this long is stopped (ms). */
const IDLE_MS = 60_000;

interface Waiting {
  input: ContractDiffInput;
  resolve: (diff: ContractDiff) => void;
  timer: NodeJS.Timeout;
}

/**
 * The worker next to this module. Built, it is `contract-worker.js`. From source (tests run the
 * `.ts` files under tsx, whose loader a worker does not inherit), a small bootstrap registers
 * tsx in the thread first.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(join(packageRoot(), 'dist', 'app', 'contract-worker.js'));
  const entry = new URL('./contract-worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then((tsx) => tsx.register()).then(() => import(${JSON.stringify(entry)}))`, { eval: true });
}

/** A diff that did not finish: the shape `diffContract` gives for a refused file. */
export function notComparedDiff(input: ContractDiffInput, reason: string, ms = 0): ContractDiff {
  return { format: null, changes: [], digest: `contract not compared: ${reason}`, breaking: false, notCompared: reason, ms };
}

export class ContractRunner {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private idle: NodeJS.Timeout | null = null;
  /** Set when a worker could not be started: diffs then run in this thread (soft budget only). */
  private inline = false;

  constructor(private readonly hardLimitMs = CONTRACT_HARD_LIMIT_MS) {}

  /** Diffs one file; never rejects. Past the hard limit the result is `notCompared`. */
  diff(input: ContractDiffInput): Promise<ContractDiff> {
    if (this.inline) return diffContract(input);
    const worker = this.ensureWorker();
    if (!worker) return diffContract(input);
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const id = this.nextId++;
    return new Promise<ContractDiff>((resolve) => {
      const timer = setTimeout(() => {
        // The thread is stuck in one parse: stop it; whatever else was queued starts over.
        this.stop(`over the ${this.hardLimitMs} ms limit (the diff was stopped)`);
      }, this.hardLimitMs);
      this.waiting.set(id, { input, resolve, timer });
      worker.ref();
      worker.postMessage({ id, input });
    });
  }

  /** Stops the worker; waiting diffs end as not compared with `reason`. */
  stop(reason = 'the diff worker was stopped'): void {
    const worker = this.worker;
    this.worker = null;
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      this.waiting.delete(id);
      w.resolve(notComparedDiff(w.input, reason, this.hardLimitMs));
    }
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    if (worker) void worker.terminate().catch(() => {});
  }

  private ensureWorker(): Worker | null {
    if (this.worker) return this.worker;
    let worker: Worker;
    try {
      worker = startWorker();
    } catch {
      this.inline = true;
      return null;
    }
    worker.unref();
    worker.on('message', (message: { id: number; diff: ContractDiff }) => {
      const w = this.waiting.get(message.id);
      if (!w) return;
      clearTimeout(w.timer);
      this.waiting.delete(message.id);
      w.resolve(message.diff);
      if (this.waiting.size === 0) this.becomeIdle(worker);
    });
    const gone = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const [id, w] of this.waiting) {
        clearTimeout(w.timer);
        this.waiting.delete(id);
        w.resolve(notComparedDiff(w.input, reason));
      }
    };
    worker.on('error', (error) => gone(`the diff worker failed: ${error.message.split('\n')[0]}`));
    worker.on('exit', (code) => gone(`the diff worker exited (${code})`));
    this.worker = worker;
    return worker;
  }

  private becomeIdle(worker: Worker): void {
    worker.unref();
    this.idle = setTimeout(() => {
      if (this.worker === worker && this.waiting.size === 0) this.stop();
    }, IDLE_MS);
    this.idle.unref();
  }
}

let shared: ContractRunner | null = null;

/** This process's runner (created on first use). */
export function contractRunner(): ContractRunner {
  shared ??= new ContractRunner();
  return shared;
}
