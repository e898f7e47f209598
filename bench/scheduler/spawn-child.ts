/**
 * Runs one Part 2 measurement in a fresh `node --import tsx` process and returns what it printed,
 * so each size's peak RSS and heap start from nothing and do not inherit Part 1's garbage.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  isOverheadMeasurement,
  measurementPrefix,
  type OverheadMeasurement,
  type OverheadRunner,
} from './overhead-measurement.js';

const childScript = fileURLToPath(new URL('./overhead-child.ts', import.meta.url));
/** The repository root, so `--import tsx` resolves from this project's node_modules. */
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildRequest {
  runner: OverheadRunner;
  steps: number;
  concurrency: number;
  seed: number;
}

export function measureInChild(request: ChildRequest): Promise<OverheadMeasurement> {
  const args = [
    // Only exposes gc() for the after-run live-heap reading; it changes no GC tuning.
    '--expose-gc',
    '--import',
    'tsx',
    childScript,
    ...['--runner', request.runner, '--steps', String(request.steps)],
    ...['--concurrency', String(request.concurrency), '--seed', String(request.seed)],
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = output.split('\n').find((candidate) => candidate.startsWith(measurementPrefix));
      const parsed: unknown = line ? JSON.parse(line.slice(measurementPrefix.length)) : undefined;
      if (code === 0 && isOverheadMeasurement(parsed)) {
        resolve(parsed);
        return;
      }
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      reject(
        new Error(`${request.runner} ${request.steps}-step child failed (${how}); output: ${output.trim()}`),
      );
    });
  });
}
