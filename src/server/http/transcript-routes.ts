/**
 * `GET /api/runs/:runId/steps/:stepId/transcript`: an attempt's typed stream parts (see
 * `engine/transcript-log.ts`) in line-aligned ranges, each line checked against the part schema. A line
 * that does not parse (a transcript from another version) is counted, never a failure.
 */
import { join } from 'node:path';
import { fileSafe } from '../../engine/step-attempt.js';
import { transcriptFileOf } from '../../engine/transcript-log.js';
import { feedOf } from './read-routes.js';
import { type ApiContext, intParameter } from './route-context.js';
import type { Route } from './router.js';
import { maxOutputBytes, readStepOutput } from './step-output.js';
import { type TranscriptPart, type TranscriptRange, transcriptLine } from './transcript-protocol.js';

export function transcriptRoutes(api: ApiContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/runs/:runId/steps/:stepId/transcript',
      access: 'token',
      query: ['attempt', 'offset'],
      handle: async ({ params, url }) => {
        const feed = feedOf(api, params.runId);
        const step = params.stepId === undefined ? undefined : feed.state.steps[params.stepId];
        const attempt = intParameter(url, 'attempt', { min: 1, max: 100_000 }) ?? step?.attempts ?? 0;
        const offset = intParameter(url, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER }) ?? 0;
        const empty: TranscriptRange = {
          attempt,
          parts: [],
          unreadable: 0,
          offset,
          nextOffset: offset,
          size: 0,
        };
        if (!step || attempt < 1) return { body: empty };
        const logsDir = join(api.stateDir, 'runs', feed.runId, 'logs');
        const file = transcriptFileOf(join(logsDir, `${fileSafe(step.id)}.${attempt}.log`));
        try {
          const range = await readStepOutput(api.stateDir, feed.runId, file, {
            offset,
            length: maxOutputBytes,
          });
          // A line still being written at the end of the file is left for the next read.
          const whole = range.text.slice(0, range.text.lastIndexOf('\n') + 1);
          const nextOffset = range.offset + Buffer.byteLength(whole);
          const { text: _text, ...position } = range;
          return { body: { attempt, ...parseLines(whole), ...position, nextOffset } };
        } catch {
          // No transcript yet (the agent has said nothing) or none at all (a shell step): an empty range.
          return { body: empty };
        }
      },
    },
  ];
}

function parseLines(text: string): { parts: TranscriptPart[]; unreadable: number } {
  const parts: TranscriptPart[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      unreadable++;
      continue;
    }
    const parsed = transcriptLine.safeParse(value);
    if (parsed.success) parts.push(parsed.data);
    else unreadable++;
  }
  return { parts, unreadable };
}
