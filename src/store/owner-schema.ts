/** The stored form of an `OwnerIdentity` (the run index's `owner` column, `run.started` events): parsed, never cast. */
import { z } from 'zod';

export const ownerIdentitySchema = z.object({
  pid: z.number(),
  startTime: z.string(),
  bootId: z.string(),
  host: z.string(),
});
