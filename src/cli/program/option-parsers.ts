/** Parsers of numeric command-line options: each refuses what its option cannot mean, naming the range. */
import { InvalidArgumentError } from 'commander';

export function tcpPort(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65_535) {
    throw new InvalidArgumentError('expected a TCP port from 0 to 65535');
  }
  return parsed;
}

export function lockDuration(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1_000 || parsed > 3_600_000) {
    throw new InvalidArgumentError('expected milliseconds from 1000 to 3600000');
  }
  return parsed;
}

export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1 || parsed > 4096) {
    throw new InvalidArgumentError('expected a whole number from 1 to 4096');
  }
  return parsed;
}
