/** What Gemini CLI reads from the environment: its keys and Google's. */
import type { EnvironmentPolicy } from '../process/child-environment.js';

export const geminiEnvironmentPolicy: EnvironmentPolicy = { names: [], prefixes: ['GEMINI_', 'GOOGLE_'] };
