/**
 * The evidence for one step's review, from what the engine and the workspace know: the step's task, its
 * diff (or, without one, its output and the current contents of the files it reports changing), and the
 * output of the validation steps it depends on (`action: validate`, or shell steps).
 */
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { StageContext } from '../engine/step-hooks.js';
import type { StepDefinition } from '../protocol/plan-types.js';
import { errorCode } from '../support/error-code.js';
import { capText, type EvidenceSection, evidenceLimits, type ReviewEvidence } from './evidence.js';

/** What a step changed, as the workspace describes it (`WorkspaceHooks.changesOf` fits). */
export interface StepChanges {
  patch: string;
  files: ReadonlyArray<string | { path: string }>;
  patchTruncated?: boolean;
}

/** Files read for a step without a diff. */
const maxFilesRead = 10;

export type EvidenceContext = Pick<StageContext, 'step' | 'state' | 'output' | 'filesChanged' | 'cwd'>;

export async function gatherEvidence(
  context: EvidenceContext,
  changes: StepChanges | undefined,
): Promise<ReviewEvidence> {
  const { step } = context;
  const sections: EvidenceSection[] = [{ title: 'TASK', role: 'task', text: taskText(step) }];
  if (changes) {
    const files = changes.files.map((file) => (typeof file === 'string' ? file : file.path));
    const note = changes.patchTruncated ? '\n[the diff was cut at its size limit]' : '';
    sections.push({
      title: `CHANGES: unified diff of ${files.length} file(s): ${files.join(', ') || 'none'}`,
      role: 'work',
      text: changes.patch.trim() === '' ? 'The step changed no files.' : `${changes.patch}${note}`,
    });
    sections.push(...summarySection(context.output, 'claim'));
  } else if (step.run !== undefined) {
    sections.push({
      title: `OUTPUT of the command \`${oneLine(step.run)}\``,
      role: 'work',
      text: capText(context.output, evidenceLimits.workChars, 'tail'),
    });
  } else {
    const files = context.filesChanged ?? [];
    const read = await changedFiles(context.cwd, files);
    sections.push(...read);
    // Without a diff or files, the agent's answer is all the work there is to judge.
    sections.push(...summarySection(context.output, read.length > 0 ? 'claim' : 'work'));
  }
  sections.push(...checkSection(context));
  sections.push(...validationSections(context));
  return { sections };
}

export function taskText(step: StepDefinition): string {
  const facts = [
    `step "${step.label}"`,
    `agent ${step.agent}`,
    ...(step.action ? [`action ${step.action}`] : []),
    ...(step.target ? [`target ${step.target}`] : []),
  ];
  const what = step.run !== undefined ? `Command: ${step.run}` : (step.prompt ?? step.description ?? '');
  return capText(`${facts.join(', ')}\n${what}`, evidenceLimits.taskChars);
}

function summarySection(output: string, role: 'claim' | 'work'): EvidenceSection[] {
  if (output.trim() === '') return [];
  return [
    {
      title: "THE AGENT'S ANSWER",
      role,
      text: capText(output, evidenceLimits.outputChars, 'tail'),
    },
  ];
}

/** The step's own `check:`, as the check stage recorded it for this attempt (it passed, or there is no review). */
function checkSection(context: EvidenceContext): EvidenceSection[] {
  const check = context.state.steps[context.step.id]?.stageDetail?.check;
  if (context.step.check === undefined || check === undefined) return [];
  return [
    {
      title: `CHECK: the step's check \`${oneLine(context.step.check)}\` exited with code ${check.exitCode ?? '?'}`,
      role: 'work',
      text: capText(check.output ?? '', evidenceLimits.outputChars, 'tail'),
    },
  ];
}

function validationSections(context: EvidenceContext): EvidenceSection[] {
  const byId = new Map(context.state.plan.steps.map((step) => [step.id, step]));
  const sections: EvidenceSection[] = [];
  for (const id of context.step.needs) {
    const dependency = byId.get(id);
    const state = context.state.steps[id];
    if (!dependency || !state) continue;
    if (dependency.action !== 'validate' && dependency.run === undefined) continue;
    const what = dependency.run !== undefined ? `ran \`${oneLine(dependency.run)}\`` : 'validated';
    const error = state.error ? `\n[error] ${state.error.message}` : '';
    sections.push({
      title: `VALIDATION: step "${dependency.label}" ${what}: ${state.status}`,
      role: 'work',
      text: capText(`${state.output ?? ''}${error}`, evidenceLimits.outputChars, 'tail'),
    });
  }
  return sections;
}

/** The files as they are now, inside the step's directory only; unreadable or binary ones are named. */
async function changedFiles(cwd: string, files: readonly string[]): Promise<EvidenceSection[]> {
  if (files.length === 0) return [];
  const sections: EvidenceSection[] = [
    {
      title: 'FILES the step reports it changed',
      role: 'work',
      text: files.slice(0, 200).join('\n'),
    },
  ];
  const root = await realpath(cwd).catch(() => resolve(cwd));
  for (const file of files.slice(0, maxFilesRead)) {
    const path = resolve(cwd, file);
    if (!isInside(cwd, path)) continue;
    // A link the agent made could point at secrets outside the workspace: those are not sent to reviewers.
    const real = await realpath(path).catch(() => path);
    const text = isInside(root, real) ? await fileText(real) : '(a link to outside the workspace: not shown)';
    sections.push({ title: `FILE ${relative(cwd, path)} after the step`, role: 'work', text });
  }
  return sections;
}

function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside !== '' && !/^\.\.(\/|$)/.test(inside) && !isAbsolute(inside);
}

async function fileText(path: string): Promise<string> {
  try {
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      if (!info.isFile()) return '(not a regular file)';
      // Bytes enough for the character cap, never the whole of a huge file.
      const buffer = Buffer.alloc(Math.min(info.size, evidenceLimits.workChars * 4));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const head = buffer.subarray(0, bytesRead);
      if (head.includes(0)) return `(binary file, ${info.size} bytes)`;
      const text = head.toString('utf8');
      const more = info.size > bytesRead ? `\n[… ${info.size - bytesRead} more bytes not shown]` : '';
      return `${capText(text, evidenceLimits.workChars)}${more}`;
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = errorCode(error);
    return code === 'ENOENT' ? '(the file does not exist: deleted)' : `(unreadable: ${code ?? 'error'})`;
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}
