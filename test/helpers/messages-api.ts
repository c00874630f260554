// A scripted Anthropic Messages API on 127.0.0.1, for driving the real Claude Code without a
// model: POST /v1/messages answers with the next turn of a script, streamed as the API streams
// (SSE: message_start, content_block_start/delta/stop per block, message_delta, message_stop).
// Every request is logged (method, path, parsed body) so a test can assert on exactly what the
// client sent the model: tools, system prompt, messages, hook context.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A content block of a request message (only the fields tests look at). */
export interface RequestBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: string | RequestBlock[];
  is_error?: boolean;
}

/** The body Claude Code POSTs to /v1/messages. */
export interface MessagesRequest {
  model: string;
  system?: string | Array<{ type: string; text: string }>;
  messages: Array<{ role: 'user' | 'assistant'; content: string | RequestBlock[] }>;
  tools?: Array<{ name: string; description?: string; input_schema?: unknown; defer_loading?: boolean; type?: string }>;
  stream?: boolean;
  max_tokens?: number;
  [key: string]: unknown;
}

export interface LoggedRequest {
  method: string;
  path: string;
  body: MessagesRequest | null;
  /** Raw body length in bytes. */
  bytes: number;
  /** Which script turn answered (-1: not a scripted turn). */
  turn: number;
}

/** One tool call the model makes: the id is generated when omitted. */
export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
  id?: string;
}

/** What the "model" answers: optional text, then tool calls (several = parallel tool calls). */
export interface Reply {
  text?: string;
  tools?: ToolCall[];
}

/**
 * A script turn: a fixed reply, or one computed from the request (e.g. ids read from the context);
 * a function may also act first (write a record as another repo) before it answers.
 */
export type Turn = Reply | ((request: MessagesRequest) => Reply | Promise<Reply>);

export interface MessagesApi {
  /** http://127.0.0.1:<port> (what ANTHROPIC_BASE_URL takes). */
  url: string;
  /** Every request received, in order. */
  requests: LoggedRequest[];
  /** Requests answered by the script (the conversation's model calls), in order. */
  turns(): LoggedRequest[];
  /** Appends turns to the script. */
  push(...turns: Turn[]): void;
  /** Turns not consumed yet. */
  pending(): number;
  close(): Promise<void>;
}

export interface MessagesApiOptions {
  /**
   * Which requests the script answers. Claude Code also makes side requests (e.g. a title or a
   * quick classification with a small model); those get `sideReply` and do not consume the script.
   * Default: requests that carry tools.
   */
  isConversation?: (request: MessagesRequest) => boolean;
  /** The answer to side requests and to conversation requests past the end of the script. */
  sideReply?: string;
}

let ids = 0;
const nextId = (prefix: string): string => `${prefix}_${Date.now().toString(36)}${(++ids).toString(36).padStart(6, '0')}`;

/** The SSE events of one assistant message, as the Messages API streams them. */
export function sseEvents(model: string, reply: Reply): string {
  const events: Array<[string, unknown]> = [];
  const tools = reply.tools ?? [];
  events.push(['message_start', {
    type: 'message_start',
    message: {
      id: nextId('msg'), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  }]);
  let index = 0;
  if (reply.text !== undefined || tools.length === 0) {
    events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
    events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: reply.text ?? 'Done.' } }]);
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  }
  for (const call of tools) {
    events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id ?? nextId('toolu'), name: call.name, input: {} } }]);
    events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.input) } }]);
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  }
  events.push(['message_delta', { type: 'message_delta', delta: { stop_reason: tools.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } }]);
  events.push(['message_stop', { type: 'message_stop' }]);
  return events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('');
}

/** The same reply as one JSON message (for clients that do not ask for a stream). */
function jsonMessage(model: string, reply: Reply): unknown {
  const content: unknown[] = [];
  if (reply.text !== undefined || !reply.tools?.length) content.push({ type: 'text', text: reply.text ?? 'Done.' });
  for (const call of reply.tools ?? []) content.push({ type: 'tool_use', id: call.id ?? nextId('toolu'), name: call.name, input: call.input });
  return {
    id: nextId('msg'), type: 'message', role: 'assistant', model, content,
    stop_reason: reply.tools?.length ? 'tool_use' : 'end_turn', stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5 },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the server on an ephemeral port of 127.0.0.1 with `script` as the first turns. */
export async function startMessagesApi(script: Turn[] = [], options: MessagesApiOptions = {}): Promise<MessagesApi> {
  const queue = [...script];
  const requests: LoggedRequest[] = [];
  let answered = 0;
  const isConversation = options.isConversation ?? ((r: MessagesRequest) => Array.isArray(r.tools) && r.tools.length > 0);
  const sideReply = options.sideReply ?? 'ok';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    let body: MessagesRequest | null = null;
    try {
      body = raw ? (JSON.parse(raw) as MessagesRequest) : null;
    } catch {
      body = null;
    }
    const entry: LoggedRequest = { method: req.method ?? 'GET', path, body, bytes: Buffer.byteLength(raw), turn: -1 };
    requests.push(entry);
    if (req.method !== 'POST' || path !== '/v1/messages' || !body) {
      if (path === '/v1/messages/count_tokens' && body) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: Math.ceil(raw.length / 4) }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `no ${req.method} ${path} here` } }));
      return;
    }
    let reply: Reply = { text: sideReply };
    if (isConversation(body)) {
      const turn = queue.shift();
      entry.turn = answered++;
      if (turn) reply = typeof turn === 'function' ? await turn(body) : turn;
      else reply = { text: sideReply };
    }
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': nextId('req') });
      res.end(sseEvents(body.model, reply));
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': nextId('req') }).end(JSON.stringify(jsonMessage(body.model, reply)));
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    turns: () => requests.filter((r) => r.turn >= 0),
    push: (...turns) => void queue.push(...turns),
    pending: () => queue.length,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** All text of a request's messages and system prompt, flattened (tool results included). */
export function requestText(request: MessagesRequest): string {
  const parts: string[] = [];
  const system = request.system;
  if (typeof system === 'string') parts.push(system);
  else if (Array.isArray(system)) for (const block of system) parts.push(block.text);
  const walk = (content: string | RequestBlock[] | undefined): void => {
    if (content === undefined) return;
    if (typeof content === 'string') {
      parts.push(content);
      return;
    }
    for (const block of content) {
      if (block.text !== undefined) parts.push(block.text);
      if (block.type === 'tool_use') parts.push(JSON.stringify(block.input));
      if (block.content !== undefined) walk(block.content);
    }
  };
  for (const message of request.messages) walk(message.content);
  return parts.join('\n');
}

/** How many times `needle` occurs in `haystack`. */
export function occurrences(haystack: string, needle: string): number {
  if (!needle) return 0;
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}
