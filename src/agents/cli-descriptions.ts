/** How `doctor` and the planner describe an agent CLI (claude, codex, gemini, acp): one wording for all. */

export function cliLine(spec: { adapter: string; command: string; model?: string; mode?: string }): string {
  const model = spec.model ? ` --model ${spec.model}` : '';
  return `${spec.adapter}: ${spec.command}${model}${spec.mode ? ` (${spec.mode})` : ''}`;
}

export function cliDescription(spec: { adapter: string; model?: string }): string {
  return `${spec.adapter} CLI${spec.model ? ` with model ${spec.model}` : ''}; edits files and can run tools`;
}
