// tools/list, computed once from our definitions. The SDK's own listing repeats `$schema` and
// `additionalProperties: false` in every schema and an `execution` default in every tool: about
// a quarter of the bytes, sent into the model's context for nothing (budget: docs/claude-code.md).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ToolDefinition } from './tool.js';

function jsonSchema(shape: z.ZodRawShape, io: 'input' | 'output'): Tool['inputSchema'] {
  const schema = z.toJSONSchema(z.object(shape), { io, target: 'draft-7', unrepresentable: 'any' });
  return strip(schema, io === 'output') as Tool['inputSchema'];
}

/**
 * Drops what says nothing to a model: the dialect marker, closed-object flags and, in results,
 * required lists; writes multi-type fields as `anyOf`. Titles are
 * left out too: the names say the same, and clients show the names.
 */
function strip(value: unknown, output: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => strip(item, output));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$schema' || (key === 'additionalProperties' && inner === false)) continue;
    // Results always carry their declared fields (the server validates them against the zod
    // schema before sending), so `required` lists in outputs would only repeat every name.
    if (output && key === 'required') continue;
    out[key] = strip(inner, output);
  }
  // A nullable field comes out of zod as `type: ["string", "null"]`: legal, but clients that map
  // schemas onto a single-type dialect (Gemini's function declarations...) may refuse it. The
  // same contract as `anyOf` branches of one type each (what the MCP Inspector's --strict asks).
  if (Array.isArray(out.type)) {
    out.anyOf = (out.type as unknown[]).map((type) => ({ type }));
    delete out.type;
  }
  return out;
}

/**
 * The defaults of MCP's tool annotations (ToolAnnotations in the MCP specification, 2025-06-18:
 * readOnlyHint false, destructiveHint true, idempotentHint false, openWorldHint true). A hint
 * equal to its default says nothing a client does not assume already.
 */
const ANNOTATION_DEFAULTS: Record<string, boolean> = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };

function annotations(declared: Tool['annotations']): Tool['annotations'] | undefined {
  const kept = Object.entries(declared ?? {}).filter(([key, value]) => ANNOTATION_DEFAULTS[key] !== value);
  return kept.length ? (Object.fromEntries(kept) as Tool['annotations']) : undefined;
}

export function listTools(tools: readonly ToolDefinition<z.ZodRawShape, z.ZodRawShape>[]): Tool[] {
  return tools.map((tool) => {
    const hints = annotations(tool.annotations);
    return {
      name: tool.name,
      description: tool.description,
      inputSchema: jsonSchema(tool.input, 'input'),
      outputSchema: jsonSchema(tool.output, 'output'),
      ...(hints ? { annotations: hints } : {}),
    };
  });
}

/** Replaces the SDK's tools/list handler with the precomputed, compact list. */
export function serveToolList(server: McpServer, tools: readonly ToolDefinition<z.ZodRawShape, z.ZodRawShape>[]): void {
  const listed = { tools: listTools(tools) };
  server.server.setRequestHandler(ListToolsRequestSchema, () => listed);
}
