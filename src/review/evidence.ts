/**
 * What reviewers are shown, as sections: the task, the work (the step's diff, or its output and the files
 * it changed, and the output of the validation steps it depends on), and claims (the agent's own summary,
 * shown but not citable when there is real work to cite). Every section is capped, and says so when cut.
 */

export type EvidenceRole = 'task' | 'work' | 'claim';

export interface EvidenceSection {
  title: string;
  role: EvidenceRole;
  text: string;
}

export interface ReviewEvidence {
  sections: EvidenceSection[];
}

export const evidenceLimits = {
  /** The task text. */
  taskChars: 8_000,
  /** A diff or a changed file. */
  workChars: 48_000,
  /** One validation step's output, or the agent's summary (the tail is kept: that is where results are). */
  outputChars: 8_000,
  /** Everything together. */
  totalChars: 96_000,
};

/** Cuts `text` to `limit` characters, keeping the head (diffs, files) or the tail (command output). */
export function capText(text: string, limit: number, keep: 'head' | 'tail' = 'head'): string {
  if (text.length <= limit) return text;
  const cut = text.length - limit;
  return keep === 'head'
    ? `${text.slice(0, limit)}\n[… ${cut} more characters not shown]`
    : `[… ${cut} earlier characters not shown]\n${text.slice(-limit)}`;
}

/** The evidence as reviewers see it: one text, and each section as shown (after the overall cap). */
export interface ShownEvidence {
  text: string;
  sections: EvidenceSection[];
}

export function presentEvidence(evidence: ReviewEvidence): ShownEvidence {
  let total = 0;
  const parts: string[] = [];
  const sections: EvidenceSection[] = [];
  for (const section of evidence.sections) {
    const note = section.role === 'claim' ? ' (a claim by the agent, not evidence: do not quote it)' : '';
    const header = `=== ${section.title}${note} ===`;
    const room = Math.max(0, evidenceLimits.totalChars - total - header.length);
    const body = capText(section.text.trimEnd() || '(empty)', room);
    total += header.length + body.length;
    parts.push(`${header}\n${body}`);
    sections.push({ ...section, text: body });
  }
  return { text: parts.join('\n\n'), sections };
}

/** Whether text looks like a unified diff rather than code or prose. */
export function looksLikeDiff(text: string): boolean {
  return /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/m.test(text) && /^(diff --git |--- |\+\+\+ )/m.test(text);
}
