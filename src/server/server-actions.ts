/**
 * What the server can start, beyond controlling runs the engine already has: planning a task, running a
 * plan given as text, reviewing code, and MCP sessions. The command line supplies these from its runtime;
 * a server started without them answers those routes with 501.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export interface StartedRun {
  runId: string;
  status: string;
  [detail: string]: unknown;
}

export interface CodeReviewRequest {
  code?: string;
  diff?: string;
  path?: string;
  language?: string;
}

export interface ServerActions {
  /** Plans a task with the configured (or named) planner and creates its run; it waits for approval per policy. */
  planTask(input: { task: string; planner?: string }, signal: AbortSignal): Promise<StartedRun>;
  /** Validates a plan given as YAML or JSON text and starts it; throws the validation problems. */
  runPlan(input: { plan: string; file?: string }): StartedRun;
  /** Reviews code or a diff with the swarm; absent when no reviewer is usable here. */
  reviewCode?(input: CodeReviewRequest, signal: AbortSignal): Promise<unknown>;
  /** A fresh MCP server for one Streamable HTTP session; `redact` cleans everything it sends. */
  createMcpServer?(options: { redact(text: string): string }): McpServer;
}
