/** Which keys a strict object schema accepts at a given path, for "did you mean" on unknown fields. */
import { z } from 'zod';
import type { PathSegment } from './plan-problem.js';

export function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (!current) return [];
    if (current instanceof z.ZodArray && typeof segment === 'number')
      current = unwrap(current.element as z.ZodType);
    else if (current instanceof z.ZodObject && typeof segment === 'string') {
      const field: z.ZodType | undefined = (current.shape as Record<string, z.ZodType>)[segment];
      current = field ? unwrap(field) : undefined;
    } else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodPipe) {
    current = current instanceof z.ZodOptional ? (current.unwrap() as z.ZodType) : (current.in as z.ZodType);
  }
  return current;
}
