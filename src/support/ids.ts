import { randomBytes } from 'node:crypto';

/** Run ids sort by creation time and stay readable: `20261127-210312-7f3a9c`. */
export function createRunId(now: number, random: () => Buffer = () => randomBytes(3)): string {
  const iso = new Date(now).toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${stamp}-${random().toString('hex')}`;
}
