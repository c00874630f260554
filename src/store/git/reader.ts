// Reads objects (loose and packed) through one long-lived `git cat-file --batch` child:
// requests are pipelined on stdin and answered in order on stdout.
import type { ChildProcess } from 'node:child_process';
import { StoreError } from '../errors.js';
import { spawnGit } from './run.js';

export interface RawObject {
  type: string;
  body: Buffer;
}

interface Pending {
  sha: string;
  resolve: (value: RawObject | null) => void;
  reject: (error: Error) => void;
}

export class ObjectReader {
  private child: ChildProcess | null = null;
  private readonly queue: Pending[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private stderr = '';
  private closed = false;
  /** Requests of this turn not written to the child yet. */
  private outgoing: string[] = [];

  constructor(private readonly gitDir: string) {}

  /** The object, or null when the repo doesn't have it. */
  read(sha: string): Promise<RawObject | null> {
    if (this.closed) return Promise.reject(new StoreError('CLOSED', 'the store is closed; open it again to read'));
    if (!/^[0-9a-f]{40}$/.test(sha)) return Promise.reject(new StoreError('BAD_OBJECT', `not an object id: ${JSON.stringify(sha)}`));
    const child = this.child ?? this.start();
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setRef(child, true); // keep the process alive only while waiting
      this.queue.push({ sha, resolve, reject });
      // Requests made in one turn of the event loop go out in one write: a write per request
      // cost more than git's answer (a walk that reads ahead asks one commit per step).
      if (this.outgoing.length === 0) setImmediate(() => this.flush());
      this.outgoing.push(sha);
    });
  }

  private flush(): void {
    const shas = this.outgoing.splice(0);
    // Requests of a reader that died meanwhile were failed and dropped from `outgoing` (fail).
    if (this.child && shas.length > 0) this.child.stdin!.write(`${shas.join('\n')}\n`);
  }

  close(): void {
    this.closed = true;
    const child = this.child;
    this.child = null;
    if (child) {
      child.stdin!.end();
      child.kill();
    }
    this.fail(new StoreError('CLOSED', 'the store was closed before the read finished'));
  }

  private start(): ChildProcess {
    const child = spawnGit({ gitDir: this.gitDir }, ['cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.chunks = [];
    this.buffered = 0;
    this.stderr = '';
    child.unref();
    setRef(child, false);
    child.stdout!.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.drain();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    child.stdin!.on('error', () => {}); // reported through 'exit' below
    const died = (why: string) => {
      if (this.child !== child) return;
      this.child = null; // the next read starts a new one
      this.fail(new StoreError('READER_FAILED', `git cat-file --batch in ${this.gitDir} stopped (${why}): ${this.stderr.trim() || 'no message'}`));
    };
    child.on('error', (error) => died(error.message));
    child.on('exit', (code, signal) => died(signal ? `signal ${signal}` : `exit ${code}`));
    return child;
  }

  /** Answers as many queued requests as the buffered output allows. */
  private drain(): void {
    while (this.queue.length > 0 && this.buffered > 0) {
      const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      this.chunks = [data];
      const eol = data.indexOf(10);
      if (eol < 0) return;
      const header = data.toString('utf8', 0, eol);
      const [, type, size] = header.split(' ');
      const head = this.queue[0]!;
      if (type === 'missing' || size === undefined) {
        this.consume(data, eol + 1);
        this.queue.shift();
        head.resolve(null);
      } else {
        const length = Number(size);
        const end = eol + 1 + length + 1; // body then a newline
        if (data.length < end) return;
        const body = Buffer.from(data.subarray(eol + 1, eol + 1 + length));
        this.consume(data, end);
        this.queue.shift();
        head.resolve({ type: type!, body });
      }
      if (this.queue.length === 0 && this.child) setRef(this.child, false);
    }
  }

  private consume(data: Buffer, bytes: number): void {
    const rest = data.subarray(bytes);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
  }

  private fail(error: Error): void {
    this.outgoing = [];
    for (const pending of this.queue.splice(0)) pending.reject(error);
  }
}

/** Whether the child's pipes keep the event loop alive. */
function setRef(child: ChildProcess, on: boolean): void {
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    const handle = stream as unknown as { ref?: () => void; unref?: () => void } | null;
    if (on) handle?.ref?.();
    else handle?.unref?.();
  }
}
