/**
 * The plan as a person approves it: confidence, rationale, risks, and the steps as a tree by dependency
 * depth with each step's agent, action and target.
 */
import type { Colors } from 'picocolors/types.js';
import { planAssessment } from '../../plan/plan-assessment.js';
import type { PlanDefinition, StepDefinition } from '../../protocol/plan-types.js';
import { terminalSafe } from '../../support/control-characters.js';

const maxListedSteps = 60;

export function renderPlanOverview(plan: PlanDefinition, colors: Colors, reason?: string): string {
  const meta = planAssessment(plan);
  const agents = new Set(plan.steps.map((step) => terminalSafe(step.agent)));
  const lines = [
    colors.bold(
      `Plan ${terminalSafe(plan.name)}: ${plan.steps.length} steps on ${agents.size} agent(s) (${[...agents].join(', ')})`,
    ),
  ];
  if (reason) lines.push(colors.gray(`Waiting for approval because ${terminalSafe(reason)}.`));
  const confidence = meta.confidence;
  if (confidence?.overall !== undefined) {
    const part = (value: number | undefined, label: string): string =>
      value === undefined ? '' : `${label} ${value.toFixed(2)}`;
    const parts = [
      part(confidence.taskClarity, 'clarity'),
      part(confidence.contextSufficiency, 'context'),
      part(confidence.approachConfidence, 'approach'),
      part(confidence.executionFeasibility, 'feasibility'),
    ].filter(Boolean);
    lines.push(
      `Confidence ${colorConfidence(confidence.overall, colors)}${parts.length > 0 ? colors.gray(` (${parts.join(', ')})`) : ''}`,
    );
  }
  const rationale = meta.analysis?.rationale ?? meta.rationale;
  if (rationale !== undefined && rationale.trim() !== '')
    lines.push(`Rationale: ${terminalSafe(rationale.trim())}`);
  for (const risk of meta.risks ?? []) {
    const severity = terminalSafe(risk.severity ?? 'unknown');
    const painted =
      severity === 'high' || severity === 'critical' ? colors.red(severity) : colors.yellow(severity);
    lines.push(
      `  ! ${painted} ${terminalSafe(risk.category ?? '')}: ${terminalSafe(risk.description ?? '')}${risk.mitigation ? colors.gray(` — mitigation: ${terminalSafe(risk.mitigation)}`) : ''}`,
    );
  }
  lines.push('Steps:');
  const depth = depths(plan.steps);
  for (const step of plan.steps.slice(0, maxListedSteps)) {
    const indent = '  '.repeat(1 + (depth.get(step.id) ?? 0));
    const what =
      step.run !== undefined ? `$ ${step.run}` : `${step.action ?? 'execute'} ${step.target ?? ''}`.trim();
    const needs = step.needs.length > 0 ? colors.gray(` ← ${terminalSafe(step.needs.join(', '))}`) : '';
    lines.push(
      `${indent}${colors.bold(terminalSafe(String(step.label)))} ${colors.cyan(terminalSafe(step.agent))} ${oneLine(what, 70)}${needs}`,
    );
    const ask = step.prompt ?? step.description;
    if (ask && step.run === undefined) lines.push(`${indent}  ${colors.gray(oneLine(ask, 100))}`);
  }
  if (plan.steps.length > maxListedSteps)
    lines.push(colors.gray(`  … ${plan.steps.length - maxListedSteps} more steps`));
  return lines.join('\n');
}

/** Dependency depth of every step, iteratively (plans can be long chains). */
function depths(steps: readonly StepDefinition[]): Map<string, number> {
  const depth = new Map<string, number>();
  const remaining = new Map(steps.map((step) => [step.id, step.needs.length]));
  const dependents = new Map<string, string[]>();
  for (const step of steps)
    for (const need of step.needs) dependents.set(need, [...(dependents.get(need) ?? []), step.id]);
  const queue = steps.filter((step) => step.needs.length === 0).map((step) => step.id);
  for (const id of queue) depth.set(id, 0);
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head] as string;
    for (const next of dependents.get(id) ?? []) {
      depth.set(next, Math.max(depth.get(next) ?? 0, (depth.get(id) ?? 0) + 1));
      const left = (remaining.get(next) ?? 1) - 1;
      remaining.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  return depth;
}

function oneLine(text: string, max: number): string {
  const flat = terminalSafe(text.replace(/\s+/g, ' ').trim());
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function colorConfidence(value: number, colors: Colors): string {
  const text = value.toFixed(2);
  return value >= 0.8 ? colors.green(text) : value >= 0.6 ? colors.yellow(text) : colors.red(text);
}
