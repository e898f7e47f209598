/**
 * Who may approve a plan over MCP. The caller of a tool is usually a model, and a model must not approve
 * its own plan: by default the person is asked through MCP elicitation (a form the client shows them),
 * and a client that cannot ask is refused with where a person can approve instead. `approval.mcp: agent`
 * in the configuration lets the calling agent approve.
 */
import type { ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { RunState } from '../engine/run-state.js';

/** `person`: only a person approves (through elicitation); `agent`: the calling agent may approve. */
export type McpApprovalMode = 'person' | 'agent';

export type GateAnswer = { kind: 'approved'; by: string } | { kind: 'refused'; message: string };

/** What the gate needs from the tool call: the client's capabilities and a request to it in this call. */
export interface GateCall {
  clientCanElicit: boolean;
  elicit(params: {
    message: string;
    requestedSchema: ElicitSchema;
  }): Promise<z.output<typeof ElicitResultSchema>>;
}

type ElicitSchema = {
  type: 'object';
  properties: Record<string, { type: 'boolean'; title: string; description: string; default: boolean }>;
  required: string[];
};

const answerSchema = z.object({ approve: z.boolean() });

export async function askToApprove(
  state: Readonly<RunState>,
  mode: McpApprovalMode,
  call: GateCall,
  dashboardUrl: string | undefined,
): Promise<GateAnswer> {
  if (mode === 'agent') return { kind: 'approved', by: 'mcp' };
  if (!call.clientCanElicit) {
    return { kind: 'refused', message: whereAPersonApproves(state.runId, dashboardUrl) };
  }
  const result = await call.elicit({
    message: describeForApproval(state),
    requestedSchema: {
      type: 'object',
      properties: {
        approve: {
          type: 'boolean',
          title: `Approve and run ${state.runId}`,
          description: 'An agent asked to approve this plan; it runs only if you say yes.',
          default: false,
        },
      },
      required: ['approve'],
    },
  });
  const answer = answerSchema.safeParse(result.content);
  if (result.action === 'accept' && answer.success && answer.data.approve) {
    return { kind: 'approved', by: 'mcp-person' };
  }
  return {
    kind: 'refused',
    message: `the person did not approve run ${state.runId} (${result.action === 'accept' ? 'they said no' : result.action}); it still waits for approval`,
  };
}

export function whereAPersonApproves(runId: string, dashboardUrl: string | undefined): string {
  return [
    `approve_plan needs a person, and this MCP client cannot ask one (it does not support elicitation). Run ${runId} still waits for approval; a person approves it with:`,
    `  ai-collab approve ${runId}`,
    ...(dashboardUrl ? [`or in the dashboard at ${dashboardUrl} (sign in with: ai-collab dashboard)`] : []),
    'To let agents approve over MCP, set `approval: { mcp: agent }` in ai-collab.config.yaml.',
  ].join('\n');
}

function describeForApproval(state: Readonly<RunState>): string {
  const steps = state.plan.steps;
  const lines = steps
    .slice(0, 20)
    .map((step) => `- ${String(step.label)} (${step.agent}${step.action ? `, ${step.action}` : ''})`);
  if (steps.length > 20) lines.push(`- … ${steps.length - 20} more`);
  return [
    `An agent asks to approve plan "${state.name}" (run ${state.runId}, ${steps.length} steps) in ${state.workspace}.`,
    ...(state.approvalReason ? [`It waits for approval because: ${state.approvalReason}.`] : []),
    ...lines,
  ].join('\n');
}
