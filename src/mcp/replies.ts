// Work that waits until a response is written to the client: a page of updates counts as
// received only once its reply left this process (app/unreplied.ts).
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

type RequestId = string | number;

/** Callbacks per request id, run once the response to that request is written. */
export class WrittenReplies {
  private readonly waiting = new Map<RequestId, Array<() => void>>();

  /** Runs `fn` once the response to request `id` is written; never, if it is not. */
  after(id: RequestId, fn: () => void): void {
    const list = this.waiting.get(id);
    if (list) list.push(fn);
    else this.waiting.set(id, [fn]);
  }

  /**
   * Wraps `transport.send`: after a response (result or error) is handed over and `flushed()`
   * resolves true (the bytes reached the pipe), that request's callbacks run. A send that fails
   * drops them: the work they settle is then done again by a later process.
   */
  watch(transport: Transport, flushed: () => Promise<boolean>): void {
    const send = transport.send.bind(transport);
    transport.send = async (message: JSONRPCMessage, options) => {
      await send(message, options);
      const id = 'id' in message && ('result' in message || 'error' in message) ? message.id : undefined;
      if (id === undefined) return;
      const list = this.waiting.get(id);
      if (!list) return;
      this.waiting.delete(id);
      if (!(await flushed())) return;
      for (const fn of list) fn();
    };
  }
}

/** Resolves once everything written to `stream` so far is handed to the OS: true, or false when the stream failed. */
export function flushedTo(stream: NodeJS.WritableStream): () => Promise<boolean> {
  return () => new Promise((resolve) => {
    try {
      stream.write('', (error) => resolve(!error));
    } catch {
      resolve(false);
    }
  });
}
