/** The planner's instructions: the task, the agents it may assign, the workspace context, and the exact output shape. */
import type { WorkspaceContext } from './collect-context.js';

export interface PlannerAgentInfo {
  name: string;
  description: string;
}

const outputShape = `{
  "name": "short-kebab-name",
  "rationale": "why this approach, in two or three sentences",
  "risks": [
    { "severity": "low|medium|high|critical", "category": "breaking-change|security|performance|compatibility|data-loss|other",
      "description": "...", "mitigation": "...", "affectedSteps": ["step-id"] }
  ],
  "confidence": { "taskClarity": 0.0, "contextSufficiency": 0.0, "approachConfidence": 0.0, "executionFeasibility": 0.0, "overall": 0.0 },
  "steps": [
    { "id": "schema", "agent": "<an agent below>", "action": "read|write|edit|analyze|delegate|validate|execute",
      "target": "path/or/area", "prompt": "exactly what this agent must do, self-contained", "needs": [] },
    { "id": "test", "agent": "shell", "run": "npm test", "needs": ["schema"] }
  ]
}`;

export function plannerPrompt(
  task: string,
  agents: readonly PlannerAgentInfo[],
  context: WorkspaceContext,
): string {
  const sections = [
    'You are the planner of a multi-agent coding orchestrator. Turn the task below into a plan: a dependency graph of small steps that run in parallel where they are independent.',
    'Do not change any file and do not run commands: only read what you need and answer with the plan.',
    `## Task\n${task}`,
    `## Agents you may assign\n${agents.map((agent) => `- ${agent.name}: ${agent.description}`).join('\n')}\n- shell: runs a shell command (use "run" instead of "prompt"), for builds, tests and linters`,
    '## Rules\n' +
      [
        '- Each step is one focused job with a self-contained prompt (the agent sees only its prompt and the repository).',
        '- "needs" lists the ids a step depends on; independent steps have no edge between them so they run at the same time.',
        '- Steps that edit the same file must depend on each other (parallel steps work in separate git worktrees and are merged).',
        '- End with validation steps (tests, type checks) where the project has them.',
        '- Confidence values are between 0 and 1; be honest: low context sufficiency means you could not see enough.',
        '- Answer with the JSON object only: no prose, no code fence.',
      ].join('\n'),
    `## Output shape\n${outputShape}`,
    `## Workspace files (${context.files.length}${context.filesOmitted > 0 ? ` of ${context.files.length + context.filesOmitted}` : ''})\n${context.files.join('\n')}`,
    ...context.documents.map(
      (document) => `## ${document.path}${document.truncated ? ' (truncated)' : ''}\n${document.content}`,
    ),
  ];
  return sections.join('\n\n');
}

export function repairPrompt(previousPrompt: string, answer: string, problems: readonly string[]): string {
  return `${previousPrompt}\n\n## Your previous answer was not a valid plan\n${problems.map((problem) => `- ${problem}`).join('\n')}\n\nPrevious answer (for reference):\n${answer.slice(0, 20_000)}\n\nAnswer again with the corrected JSON object only.`;
}
