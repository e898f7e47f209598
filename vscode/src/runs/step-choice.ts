/**
 * What the Runs view adds to a step for best-of-N and failover: a short description ("picked impl#3 of 3",
 * "moved to codex", "waits for claude") and tooltip lines (each candidate's outcome, score, cost and kept
 * ref; each move with its reason; the usage limit a parked step waits on). Read from the product's own
 * choice report, so the editor says what `status` and MCP say. Free of the vscode API: unit-tested in Node.
 */
import type { ChoiceReport } from '../../../src/engine/choice/choice-report.js';

export interface StepChoice {
  /** Appended to the step's description, when there is something to say. */
  description?: string;
  tooltip: string[];
}

export function stepChoice(report: ChoiceReport, label: string): StepChoice {
  const tooltip: string[] = [];
  const said: string[] = [];
  const bestOf = report.bestOf.find((entry) => entry.stepId === label);
  if (bestOf) {
    said.push(
      bestOf.picked !== undefined
        ? `picked ${bestOf.picked} of ${bestOf.candidates.length}`
        : `${bestOf.candidates.length} candidates`,
    );
    tooltip.push(`candidates (pick: ${bestOf.pick}):`);
    for (const candidate of bestOf.candidates) {
      const parts = [
        `${candidate.id} (${candidate.agent})`,
        candidate.picked ? 'picked' : candidate.outcome,
        candidate.score !== undefined ? `score ${candidate.score.toFixed(2)}` : '',
        candidate.costUsd !== undefined ? `$${candidate.costUsd.toFixed(4)}` : '',
        candidate.ref ?? '',
        candidate.picked ? '' : (candidate.reason ?? ''),
      ];
      tooltip.push(`  ${parts.filter((part) => part !== '').join(' · ')}`);
    }
  }
  const moves = report.failovers.filter((move) => move.stepId === label);
  for (const move of moves) {
    const until =
      move.until !== undefined
        ? ` (parked until ${new Date(move.until).toISOString()}${move.window !== undefined ? `, ${move.window}` : ''})`
        : '';
    tooltip.push(`moved from ${move.from} to ${move.to}: ${move.cause}${until}: ${move.reason}`);
  }
  const last = moves.at(-1);
  if (last) said.push(`moved to ${last.to}`);
  const parked = report.parked.find((entry) => entry.stepId === label);
  if (parked) {
    said.push(`waits for ${parked.agent}`);
    tooltip.push(
      `waits for ${parked.agent}'s usage limit until ${new Date(parked.until).toISOString()}${parked.window !== undefined ? ` (${parked.window})` : ''}: ${parked.reason}`,
    );
  }
  return { ...(said.length > 0 && { description: said.join(', ') }), tooltip };
}
