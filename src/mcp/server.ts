// The MCP server: the twelve tools, each over its application operation. No module-level state.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerTool } from './tool.js';
import { serveToolList } from './tool-list.js';
import { registerPrompts } from './prompts.js';
import type { PromptOptions } from './prompts.js';
import type { AppProvider } from './tool.js';
import type { WrittenReplies } from './replies.js';
import { tools } from './tools/index.js';

export const SERVER_NAME = 'claude-orchestrator';

/** What the client shows the model: when to call what, in a few lines. */
export const INSTRUCTIONS = `Coordinates work across the repos of a multi-service system (one session per repo).
- Start: if a note already gave you your orchestrator session id, use it; otherwise call register_session with your repo path and project group.
- Before and during work: get_cross_project_updates to read changes other repos made that affect yours; act on high and critical ones first.
- After you change a schema, an API or a shared type: notify_related_sessions with a one-line summary of what others must do; get_update shows who got it. Acknowledge updates marked ackRequired (get_cross_project_updates ack) once handled.
- Before a coordinated or breaking change: request_sync_point, then get_pending_sync_points until it resolves. When asked, do the work, then acknowledge_sync_point.
- query_project_state and list_group_sessions show what other repos are doing; get_topology shows who depends on whom.`;

/**
 * The server with every tool and prompt. `options.replies`: the transport's written responses
 * (replies.ts), so a tool can settle work once its answer reached the client.
 */
export function createServer(app: AppProvider, version: string, options: PromptOptions & { replies?: WrittenReplies } = {}): McpServer {
  // `logging`: a message refused at the transport without an id is reported as a log notification (line-limit.ts).
  const server = new McpServer({ name: SERVER_NAME, version }, { instructions: INSTRUCTIONS, capabilities: { logging: {} } });
  registerPrompts(server, options);
  for (const tool of tools) registerTool(server, app, tool as Parameters<typeof registerTool>[2], options.replies);
  serveToolList(server, tools as unknown as Parameters<typeof serveToolList>[1]);
  return server;
}
