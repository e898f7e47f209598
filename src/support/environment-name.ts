/** The zod of an environment variable's name, as configuration writes it (`passEnv`, `env`, `apiKeyEnv`). */
import { z } from 'zod';

export const environmentName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
