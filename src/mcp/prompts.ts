// Prompts for the common flows. Claude Code lists them as slash commands:
// /mcp__claude-orchestrator__check-updates, __announce-change, __start-sync-point.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

export interface PromptOptions {
  /** The session this server registered for its client, when it did (named in the prompts). */
  sessionId?: () => string | undefined;
}

function sessionText(options: PromptOptions): string {
  const id = options.sessionId?.();
  return id ? `My orchestrator session is ${id}.` : 'Use my orchestrator session id (from the session start note, or register_session if there is none).';
}

const user = (text: string) => ({ messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }] });

export function registerPrompts(server: McpServer, options: PromptOptions = {}): void {
  server.registerPrompt(
    'check-updates',
    { title: 'Check cross-project updates', description: 'Read what other repos changed that affects this one, and the sync points waiting on it' },
    () => user(
      `${sessionText(options)} Call get_cross_project_updates and get_pending_sync_points. ` +
        'Summarise what affects this repo, most urgent first, one line each, with what I would have to change here. ' +
        'For a sync point waiting on us, say what it asks and whether the work is done.',
    ),
  );

  server.registerPrompt(
    'announce-change',
    {
      title: 'Announce a change',
      description: 'Tell the repos that depend on this one about a change made here',
      argsSchema: { summary: z.string().optional().describe('What changed, in a line (default: work it out from the diff)') },
    },
    ({ summary }) => user(
      `${sessionText(options)} ` +
        (summary ? `The change: ${summary}. ` : 'Work out the change from the uncommitted diff and the latest commits. ') +
        'Pick its changeType (schema_change, api_endpoint_change, type_definition_change, config_change, dependency_update, breaking_change), ' +
        'then call notify_related_sessions with a one-line summary of what the other repos must do, and the files that matter. ' +
        'Report who was notified.',
    ),
  );

  server.registerPrompt(
    'start-sync-point',
    {
      title: 'Start a sync point',
      description: 'Ask the dependent repos to get ready before a coordinated or breaking change',
      argsSchema: {
        description: z.string().describe('What everyone must have done before the change goes ahead'),
        participants: z.string().optional().describe('Comma-separated roles, or "all" (default: dependents)'),
      },
    },
    ({ description, participants }) => user(
      `${sessionText(options)} Call request_sync_point with description ${JSON.stringify(description)}` +
        (participants ? ` and participants ${participants === 'all' || participants === 'dependents' ? JSON.stringify(participants) : JSON.stringify(participants.split(',').map((p) => p.trim()).filter(Boolean))}` : '') +
        '. Then report its id and who must acknowledge; check progress later with get_pending_sync_points.',
    ),
  );
}
