// One shape for every tool: declared schemas, structured output plus the same JSON as text,
// and errors turned into results the model can act on.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { describeError } from '../app/errors.js';
import type { AppContext } from '../app/context.js';
import type { WrittenReplies } from './replies.js';

export interface ToolDefinition<In extends z.ZodRawShape, Out extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: In;
  output: Out;
  annotations: ToolAnnotations;
  /** `reply.written(fn)`: run `fn` once this call's response is written to the client. */
  handle(ctx: AppContext, args: z.infer<z.ZodObject<In>>, reply: ToolReply): Promise<z.infer<z.ZodObject<Out>>>;
}

/** What a tool may ask of its call's response. */
export interface ToolReply {
  /** Runs `fn` once the response is written to the client (at once when nothing watches the transport). */
  written(fn: () => void): void;
}

export function defineTool<In extends z.ZodRawShape, Out extends z.ZodRawShape>(
  definition: ToolDefinition<In, Out>,
): ToolDefinition<In, Out> {
  return definition;
}

/** The application, opened on first use: a broken coordination repo fails calls, not the server. */
export type AppProvider = () => Promise<AppContext>;

export function registerTool<In extends z.ZodRawShape, Out extends z.ZodRawShape>(
  server: McpServer,
  app: AppProvider,
  tool: ToolDefinition<In, Out>,
  replies?: WrittenReplies,
): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: tool.output,
      annotations: tool.annotations,
    },
    // The SDK's callback type is generic over every schema flavour; ours is one of them.
    (async (args: z.infer<z.ZodObject<In>>, extra: { requestId: string | number }) => {
      try {
        const ctx = await app();
        const reply: ToolReply = { written: (fn) => (replies ? replies.after(extra.requestId, fn) : fn()) };
        const result = await tool.handle(ctx, args, reply);
        // Process-level problems (a failing remote) ride along as a second text block, outside
        // the declared structured result.
        const notices = ctx.notices().map((text) => ({ type: 'text' as const, text: `note: ${text}` }));
        return {
          structuredContent: result as Record<string, unknown>,
          content: [{ type: 'text' as const, text: JSON.stringify(result) }, ...notices],
        };
      } catch (error) {
        return { isError: true, content: [{ type: 'text' as const, text: `${tool.name}: ${describeError(error)}` }] };
      }
    }) as never,
  );
}
