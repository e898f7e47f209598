/** The openai adapter's own keys under `agents.<name>`, and the spec they make. */
import { z } from 'zod';
import { environmentName } from '../../support/environment-name.js';
import type { SpecOf } from '../agent-spec.js';
import { appendSystemPrompt } from '../claude/claude-spec.js';
import { openAiPresetNames } from './openai-presets.js';

/** Base URL of an OpenAI-compatible API (codex takes one too, as its own provider). */
export const baseUrl = z.url({ protocol: /^https?$/ });
/** Name of the environment variable that holds the API key (never the key itself). */
export const apiKeyEnv = environmentName;

export const openAiSettings = z.object({
  /** A preset endpoint. */
  preset: z.enum(openAiPresetNames).optional(),
  /** Overrides the preset's. */
  baseUrl: baseUrl.optional(),
  apiKeyEnv: apiKeyEnv.optional(),
  /** Most model↔tool round trips in one step (file tools confined to the workspace). */
  maxToolRounds: z.number().int().min(1).max(200).optional(),
  appendSystemPrompt: appendSystemPrompt.optional(),
});

export type OpenAiSpec = SpecOf<'openai', Omit<z.output<typeof openAiSettings>, 'preset'>>;
