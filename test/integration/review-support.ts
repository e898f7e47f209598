import type { AgentDeps } from '../../src/agents/agent-deps.js';
import type { AgentSpec } from '../../src/agents/agent-spec.js';
import { correctPrompt, votePrompt } from '../../src/review/review-prompts.js';
import type { ModelRequest, Script } from '../support/model-server/index.js';
import { text } from '../support/model-server/index.js';

export const reviewKeyName = 'SCRIPTED_REVIEW_KEY';

export interface ScriptedVote {
  vote: 'APPROVE' | 'REJECT';
  confidence: number;
  reason: string;
  quote: string;
}

/** Which step of the 3-call protocol a chat request is. */
export function protocolStep(request: ModelRequest): 'generate' | 'correct' | 'vote' {
  if (request.lastUserText === votePrompt) return 'vote';
  if (request.lastUserText === correctPrompt) return 'correct';
  return 'generate';
}

/** The evidence the reviewer was shown: the first user message of its conversation. */
export function evidenceOf(request: ModelRequest): string {
  return request.messages.find((message) => message.role === 'user')?.text ?? '';
}

/** A scripted reviewer model: prose for the review and its correction, then the vote `decide` picks. */
export function reviewerScript(decide: (evidence: string, request: ModelRequest) => ScriptedVote): Script {
  return (request) => {
    const step = protocolStep(request);
    if (step === 'generate') return text('Review: I read the diff and the validation output.');
    if (step === 'correct') return text('Corrected review: the points above stand, quotes checked.');
    const { quote, ...vote } = decide(evidenceOf(request), request);
    return text(JSON.stringify({ ...vote, evidence: [quote] }));
  };
}

export function reviewerSpec(name: string, baseUrl: string, model = `model-${name}`): AgentSpec {
  return {
    name,
    adapter: 'openai',
    command: '',
    args: [],
    env: {},
    passEnv: [],
    pool: { size: 1, prewarm: 0, maxUses: 1, maxAgeMs: 60_000, maxMemoryBytes: 1e9, idleTimeoutMs: 60_000 },
    capabilities: ['review'],
    baseUrl,
    model,
    apiKeyEnv: reviewKeyName,
  };
}

export const reviewEnvironment: AgentDeps['environment'] = { [reviewKeyName]: 'sk-scripted-review-key' };

/** The request's temperature, as sent on the wire. */
export function temperatureOf(request: ModelRequest): unknown {
  const body = request.body as { temperature?: unknown };
  return body.temperature;
}
