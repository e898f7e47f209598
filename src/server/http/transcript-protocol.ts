/**
 * The transcript's wire shapes: what `GET …/transcript` answers, line by line. Shared with the dashboard,
 * which must not import the route's server code to name them.
 */
import { z } from 'zod';

const usage = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedInputTokens: z.number().optional(),
  costUsd: z.number().optional(),
});

export const transcriptLine = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('session-start'),
    at: z.number(),
    sessionId: z.string(),
    model: z.string().optional(),
  }),
  z.object({ type: z.literal('text-delta'), at: z.number(), text: z.string() }),
  z.object({
    type: z.literal('tool-call'),
    at: z.number(),
    id: z.string(),
    name: z.string(),
    input: z.unknown(),
  }),
  z.object({
    type: z.literal('tool-result'),
    at: z.number(),
    id: z.string(),
    output: z.string(),
    isError: z.boolean(),
  }),
  z.object({ type: z.literal('usage-report'), at: z.number(), usage }),
  z.object({
    type: z.literal('retry-notice'),
    at: z.number(),
    message: z.string(),
    delayMs: z.number().optional(),
  }),
  z.object({ type: z.literal('warning'), at: z.number(), message: z.string() }),
  z.object({ type: z.literal('unknown-line'), at: z.number(), raw: z.string() }),
  z.object({ type: z.literal('parts-dropped'), at: z.number(), parts: z.number(), bytes: z.number() }),
]);

export type TranscriptPart = z.infer<typeof transcriptLine>;

export interface TranscriptRange {
  attempt: number;
  parts: TranscriptPart[];
  /** Lines that did not parse as a part. */
  unreadable: number;
  offset: number;
  nextOffset: number;
  size: number;
}
