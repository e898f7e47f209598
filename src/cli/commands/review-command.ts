/**
 * `ai-collab review <file|->`: the reviewer swarm on a file's code, or on a unified diff from a file or
 * stdin. Prints the verdict, the score and each vote (or `--json`). Exit 0 approved, 1 rejected or not
 * approvable, 2 bad input or no usable reviewer. Identical reviews are answered from the state database.
 */
import { readFile, stat } from 'node:fs/promises';
import { looksLikeDiff } from '../../review/evidence.js';
import { reviewCodeWith } from '../../review/review-code.js';
import { terminalSafe } from '../../support/control-characters.js';
import { errorCode } from '../../support/error-code.js';
import { InputError } from '../../support/errors.js';
import { exitCodes } from '../exit-codes.js';
import { reviewText } from '../output/review-text.js';
import { whyNoReviewer } from '../review-preflight.js';
import type { CommandContext } from './command-context.js';

export interface ReviewCommandOptions {
  json?: boolean;
  db?: string;
  /** What the code or change is meant to do, when known. */
  task?: string;
}

/** Larger input is not a review: the reviewers see at most a few tens of kilobytes of it anyway. */
const maxInputBytes = 4 * 1024 * 1024;

export async function reviewCommand(
  input: string,
  options: ReviewCommandOptions,
  context: CommandContext,
): Promise<number> {
  const config = context.loadConfig();
  const content = input === '-' ? await readStdin() : await readInputFile(input);
  if (content.trim() === '') throw new InputError('USAGE', `nothing to review: ${describe(input)} is empty`);
  const runtime = await context.openRuntime(config, options.db);
  try {
    const { review } = runtime;
    if (!review.swarm.usable) {
      throw new InputError('USAGE', 'no reviewer is usable here', [
        ...whyNoReviewer(review),
        'fix: name usable reviewers in ai-collab.config.yaml under review.reviewers, e.g. `review: { reviewers: [reviewer] }` with HF_TOKEN set',
      ]);
    }
    const { stderr, stdout } = context.streams;
    for (const problem of review.problems) stderr.write(`warning: ${terminalSafe(problem)}\n`);
    const kind = looksLikeDiff(content) ? 'diff' : 'code';
    const names = review.swarm.reviewers.map((reviewer) => reviewer.name).join(', ');
    stderr.write(
      `Reviewing ${describe(input)} (${kind}) with ${review.swarm.settings.swarmSize} reviewer(s) from ${names}…\n`,
    );
    const controller = new AbortController();
    const onSignal = (): void => controller.abort(new Error('interrupted'));
    process.once('SIGINT', onSignal);
    try {
      const source = input === '-' ? 'stdin' : input;
      const done = await reviewCodeWith(
        review.swarm,
        {
          ...(kind === 'diff' ? { diff: content } : { code: content }),
          path: source,
        },
        {
          cwd: context.cwd,
          signal: controller.signal,
          ...(options.task !== undefined && { task: options.task }),
        },
      );
      if (controller.signal.aborted) return exitCodes.interrupted;
      stdout.write(
        options.json
          ? `${JSON.stringify({ ...done.result, kind, source, threshold: done.rule.threshold, stoppedEarly: done.stoppedEarly })}\n`
          : reviewText(done, source),
      );
      return done.verdict === 'approved' ? exitCodes.success : exitCodes.failure;
    } finally {
      process.off('SIGINT', onSignal);
    }
  } finally {
    await runtime.close();
  }
}

function describe(input: string): string {
  return input === '-' ? 'stdin' : input;
}

async function readInputFile(file: string): Promise<string> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new InputError('USAGE', `${file} is not a file; give a file or - for stdin`);
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = errorCode(error);
    throw new InputError('USAGE', `cannot read ${file} (${code ?? 'error'}); give a file or - for stdin`);
  }
  if (size > maxInputBytes) throw tooLarge(file, size);
  const bytes = await readFile(file);
  return textOf(bytes, file);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxInputBytes) throw tooLarge('stdin', size);
    chunks.push(buffer);
  }
  return textOf(Buffer.concat(chunks), 'stdin');
}

function textOf(bytes: Buffer, source: string): string {
  if (bytes.includes(0))
    throw new InputError('USAGE', `${source} is binary; give source code or a unified diff`);
  return bytes.toString('utf8');
}

function tooLarge(source: string, size: number): InputError {
  return new InputError(
    'USAGE',
    `${source} is too large to review (${size} bytes; at most ${maxInputBytes}); review a smaller diff or file`,
  );
}
