/**
 * The scripted model server for the VS Code end-to-end test (OpenAI chat wire format): the planner gets a
 * two-step shell plan, reviewers approve with evidence. Prints `model server on <url>` and runs until
 * SIGTERM. Run with the root's tsx: `node --import tsx test/vscode-e2e/model-server.ts`.
 */
import { reviewerScript } from '../integration/review-support.js';
import { startModelServer, text } from '../support/model-server/index.js';

export const plannedPlan = {
  name: 'vscode-e2e-planned',
  rationale: 'Write a file, then check it.',
  risks: [
    {
      severity: 'low',
      category: 'other',
      description: 'writes a file',
      mitigation: 'none needed',
      affectedSteps: ['write'],
    },
  ],
  confidence: {
    taskClarity: 0.9,
    contextSufficiency: 0.8,
    approachConfidence: 0.9,
    executionFeasibility: 0.9,
    overall: 0.85,
  },
  steps: [
    { id: 'write', agent: 'shell', run: 'sleep 1 && echo planned > planned.txt' },
    { id: 'check', agent: 'shell', run: 'sleep 1 && test -f planned.txt', needs: ['write'] },
  ],
};

const reviewers = reviewerScript((evidence) => {
  const quote = evidence.split('\n').find((line) => line.includes('return')) ?? evidence.slice(0, 40);
  return {
    vote: 'APPROVE',
    confidence: 0.9,
    reason: 'add() returns the sum of its arguments',
    quote: quote.trim(),
  };
});

const server = await startModelServer({
  script: (request) => {
    if (JSON.stringify(request).includes('You are the planner')) {
      return text(`\`\`\`json\n${JSON.stringify(plannedPlan)}\n\`\`\``);
    }
    return typeof reviewers === 'function' ? reviewers(request) : undefined;
  },
});
process.stdout.write(`model server on ${server.url}\n`);
process.on('SIGTERM', () => {
  // For the run's log: how many model calls the planner and the reviewers made.
  process.stderr.write(`model server: ${server.requests.length} requests\n`);
  void server.close().then(() => process.exit(0));
});
