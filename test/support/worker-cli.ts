// An `ai-collab worker` process started as a separate machine would start it: its own --dir (`work` under
// `directory`) and the environment given (its own HOME), returned once it says it serves. Used by the
// distributed tests and bench:distributed.
import { join } from 'node:path';
import { type CliProcess, startCli, waitFor } from './cli.js';

export interface WorkerCliOptions {
  name: string;
  redisUrl: string;
  directory: string;
  env: Record<string, string>;
  /** Further `ai-collab worker` arguments (--agents, --lock-duration …). */
  args?: readonly string[];
  /** Runs the built CLI (dist/) instead of the source. */
  built?: boolean;
}

export async function startWorkerCli(options: WorkerCliOptions): Promise<CliProcess> {
  const { name, directory } = options;
  const worker = startCli(
    [
      'worker',
      '--redis',
      options.redisUrl,
      '--dir',
      join(directory, 'work'),
      '--name',
      name,
      ...(options.args ?? []),
    ],
    { cwd: directory, env: options.env, ...(options.built && { built: true }) },
  );
  await waitFor(
    () => worker.stderrSoFar().includes(`worker ${name} serves`) || worker.child.exitCode !== null,
    `worker ${name} to start`,
    // Generous: several workers compiling the CLI through tsx at once on a busy 2-core machine.
    240_000,
  );
  if (worker.child.exitCode !== null) throw new Error(`worker ${name} ended: ${worker.stderrSoFar()}`);
  return worker;
}
