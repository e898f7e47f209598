/**
 * A field of data another program wrote (an agent CLI's output line, a planner's assessment) that reads as
 * absent when it has another shape than expected, instead of failing the whole value: such programs add and
 * reshape fields between versions, and one odd field must not cost the rest.
 */
import type { z } from 'zod';

export function lenient<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}
