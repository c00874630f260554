// A bound on the size of one MCP message, applied to the stdio stream before the protocol layer
// buffers or parses anything. Messages are lines (newline-delimited JSON); a line longer than the
// bound is dropped while it streams in, keeping only its first and last bytes to say which request
// it was, so a 10 MB message costs a scan for newlines instead of a 10 MB buffer, a JSON parse and
// a schema check, and the calls after it are answered as usual.
import { Transform, type TransformCallback } from 'node:stream';
import { MAX_RECORD_BYTES } from '../core/record-schema.js';
import { MAX_SUMMARY_CHARS } from '../core/records.js';
import { jsonHead } from '../core/json-head.js';

/**
 * Largest MCP message read, in bytes of one line (1 MiB). The largest legitimate request carries
 * at most one record's worth of text (a record is at most `MAX_RECORD_BYTES`, 256 KB, of JSON);
 * a client may escape every character of it as `\uXXXX`, which at most triples its UTF-8 size
 * (768 KB), and the JSON-RPC envelope adds little: four records' worth bounds every valid call.
 */
export const MAX_MESSAGE_BYTES = 4 * MAX_RECORD_BYTES;

/** Bytes kept from a dropped line's start and end, to read its method and id. */
const HEAD_BYTES = 4096;
const TAIL_BYTES = 1024;

/** What was read of a line that was dropped for its size. */
export interface RefusedMessage {
  /** Its length in bytes, without the newline (what had arrived, when the input ended first). */
  bytes: number;
  /** The JSON-RPC `method`, when it was read from the line's start (absent for responses). */
  method?: string;
  /** The JSON-RPC `id`, when it was read from the line's start or end (absent for notifications). */
  id?: string | number;
}

export interface LineLimitOptions {
  /** Longest line passed on, in bytes without its newline (default `MAX_MESSAGE_BYTES`). */
  maxBytes?: number;
  /** Called once per dropped line, when its newline (or the end of the input) arrives. */
  onRefused: (message: RefusedMessage) => void;
}

/**
 * `input` with every line longer than `maxBytes` left out: a readable stream of the lines that
 * fit, each passed on whole (newline included) once it is complete, so what reads it never holds
 * more than one line of `maxBytes`. A longer line is dropped as it arrives (memory: its first
 * 4 KiB and last 1 KiB) and reported through `onRefused`. Input errors are passed on.
 */
export function limitLines(input: NodeJS.ReadableStream, options: LineLimitOptions): Transform {
  const limit = new LineLimit(options.maxBytes ?? MAX_MESSAGE_BYTES, options.onRefused);
  input.on('error', (error: Error) => limit.destroy(error));
  input.pipe(limit);
  return limit;
}

class LineLimit extends Transform {
  /** The line being read while it fits: its pieces and their total length. */
  private parts: Buffer[] = [];
  private length = 0;
  /** Set while dropping a line that went past the bound. */
  private dropping: { head: Buffer; tail: Buffer; bytes: number } | null = null;

  constructor(
    private readonly maxBytes: number,
    private readonly onRefused: (message: RefusedMessage) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      const piece = chunk.subarray(start, newline === -1 ? chunk.length : newline);
      if (this.dropping) this.discard(piece);
      else if (this.length + piece.length > this.maxBytes) this.startDropping(piece);
      else {
        this.parts.push(piece);
        this.length += piece.length;
      }
      if (newline === -1) break;
      this.endLine();
      start = newline + 1;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    // A last line without its newline: pass it on as it came (the reader waits for a newline
    // that never comes, as it would without us), or report it when it was too long.
    if (this.dropping) this.refuse();
    else if (this.length > 0) this.push(Buffer.concat(this.parts));
    done();
  }

  private endLine(): void {
    if (this.dropping) return this.refuse();
    this.parts.push(NEWLINE);
    this.push(Buffer.concat(this.parts, this.length + 1));
    this.parts = [];
    this.length = 0;
  }

  private startDropping(piece: Buffer): void {
    const kept = Buffer.concat([...this.parts, piece]);
    this.dropping = { head: Buffer.from(kept.subarray(0, HEAD_BYTES)), tail: Buffer.alloc(0), bytes: 0 };
    this.parts = [];
    this.length = 0;
    this.discard(kept);
  }

  private discard(piece: Buffer): void {
    const d = this.dropping!;
    d.bytes += piece.length;
    d.tail = piece.length >= TAIL_BYTES ? Buffer.from(piece.subarray(piece.length - TAIL_BYTES)) : Buffer.concat([d.tail, piece]).subarray(-TAIL_BYTES);
  }

  private refuse(): void {
    const d = this.dropping!;
    this.dropping = null;
    const found = readEnvelope(d.head.toString('utf8'), d.tail.toString('utf8'));
    try {
      this.onRefused({ bytes: d.bytes, ...found });
    } catch {
      // A report that fails must not stop the stream.
    }
  }
}

const NEWLINE = Buffer.from('\n');

/**
 * What the client is told of a dropped message: its size, the bound, and what to do. Sent as the
 * request's JSON-RPC error when its id was read, else as a log notification.
 */
export function refusalText(message: RefusedMessage, maxBytes = MAX_MESSAGE_BYTES): string {
  const what = message.method ? `${message.method} message` : 'message';
  return `${what} of ${message.bytes.toLocaleString('en-US')} bytes refused unread: an MCP message to claude-orchestrator may hold at most ${maxBytes.toLocaleString('en-US')} bytes (a summary is at most ${MAX_SUMMARY_CHARS.toLocaleString('en-US')} characters, a record ${MAX_RECORD_BYTES / 1024} KB). Nothing was recorded; send it again with less text (a shorter summary, fewer files).`;
}

/**
 * The `method` and `id` of a JSON-RPC message from its first and last bytes only: the top-level
 * keys are read from the start until the text runs out (nested values are skipped), and an `id`
 * that is the object's last member is read from the end (the MCP SDK writes `id` after `params`).
 */
export function readEnvelope(head: string, tail: string): { method?: string; id?: string | number } {
  const top = jsonHead(head);
  const out: { method?: string; id?: string | number } = {};
  const method = top.get('method');
  if (typeof method === 'string') out.method = method;
  let id: unknown = top.get('id');
  if (id === undefined) {
    const match = /[{,]\s*"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*\}\s*$/.exec(tail);
    if (match) id = safeParse(match[1]!);
  }
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) out.id = id;
  return out;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
