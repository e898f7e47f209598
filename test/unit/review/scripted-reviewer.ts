import type { StepFailure } from '../../../src/agents/agent.js';
import type { Reviewer, ReviewerAnswer, ReviewQuestion } from '../../../src/review/reviewer.js';

export type ScriptedAnswer = string | { fail: Partial<StepFailure> } | { hang: true };

/** A reviewer answering from a script, counting what it was asked. `{hang}` waits for the abort. */
export class ScriptedReviewer implements Reviewer {
  readonly name: string;
  readonly kind: 'chat' | 'agent';
  readonly identity: string;
  readonly questions: ReviewQuestion[] = [];
  aborted = 0;
  readonly #script: (question: ReviewQuestion, asked: number) => ScriptedAnswer;

  constructor(
    name: string,
    script: (question: ReviewQuestion, asked: number) => ScriptedAnswer,
    kind: 'chat' | 'agent' = 'chat',
  ) {
    this.name = name;
    this.kind = kind;
    this.identity = `scripted ${name}`;
    this.#script = script;
  }

  async ask(question: ReviewQuestion): Promise<ReviewerAnswer> {
    this.questions.push(question);
    const answer = this.#script(question, this.questions.length);
    const cost = { calls: 3, requests: 3, rateLimited: 0 };
    if (typeof answer === 'string') return { ...cost, result: { ok: true, text: answer } };
    if ('hang' in answer) {
      await new Promise<void>((resolve) => {
        if (question.signal.aborted) resolve();
        else question.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      this.aborted++;
      return {
        ...cost,
        result: { ok: false, failure: { code: 'ABORTED', kind: 'transient', message: 'stopped' } },
      };
    }
    return {
      ...cost,
      result: {
        ok: false,
        failure: { code: 'MODEL_ERROR', kind: 'transient', message: 'scripted', ...answer.fail },
      },
    };
  }
}

/** A vote answer quoting `quote`. */
export function voteText(
  vote: 'APPROVE' | 'REJECT',
  confidence: number,
  reason: string,
  quote: string,
): string {
  return `My review is done.\n${JSON.stringify({ vote, confidence, reason, evidence: [quote] })}`;
}
