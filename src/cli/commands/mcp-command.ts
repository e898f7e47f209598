/**
 * `ai-collab mcp`: the MCP server on stdio. stdout carries protocol messages only — every log line goes to
 * stderr — and runs started here execute in this process until the client disconnects, when they stop
 * gracefully and stay resumable.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from '../../mcp/mcp-server.js';
import { exitCodes } from '../exit-codes.js';
import { createFrontEndActions } from '../front-end-actions.js';
import { reapOrphans } from '../runtime.js';
import type { CommandContext } from './command-context.js';

export async function mcpCommand(
  options: { db?: string },
  context: CommandContext,
  version: string,
): Promise<number> {
  const config = context.loadConfig();
  const runtime = await context.openRuntime(config, options.db);
  try {
    await reapOrphans(runtime);
    const actions = createFrontEndActions(runtime, context.cwd, context.environment);
    const server = createMcpServer(actions.mcpDeps(version));
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
      process.stdin.once('end', () => resolve());
    });
    await server.connect(transport);
    await closed;
    await actions.drain('the MCP client disconnected', config.interruptGraceMs);
    return exitCodes.success;
  } finally {
    await runtime.close();
  }
}
