// A stdio MCP server started as a user's client starts it, for checks on its raw stdout.
import { spawn } from 'node:child_process';

/** Starts a stdio MCP server, sends initialize, and returns the first line it writes to stdout. */
export function firstAnswer(command: string, args: string[], childEnv: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: childEnv, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no answer from ${command} in 60 s; stdout: ${out}; stderr: ${err}`));
    }, 60_000);
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const end = out.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        child.stdin.end();
        child.kill();
        resolve(out.slice(0, end));
      }
    });
    child.on('error', reject);
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } })}\n`,
    );
  });
}

