/**
 * Reads step ids, dependencies and agents straight from the parsed document, leniently, so graph and
 * agent problems are reported in the same pass as schema problems instead of after they are fixed.
 */

import { isRecord } from '../support/json-record.js';
import type { GraphNode } from './validate-graph.js';

export interface RawStepFacts {
  nodes: GraphNode[];
  agents: Array<{ index: number; key: string; name: string }>;
}

export function readRawSteps(root: Record<string, unknown>, seed: boolean): RawStepFacts {
  const facts: RawStepFacts = { nodes: [], agents: [] };
  if (!Array.isArray(root.steps)) return facts;
  const defaults = isRecord(root.defaults) ? root.defaults : {};
  const defaultAgent = typeof defaults.agent === 'string' ? defaults.agent : undefined;
  root.steps.forEach((step: unknown, index) => {
    if (!isRecord(step)) return;
    if (isId(step.id)) {
      const needsKey = !seed && Array.isArray(step.needs) ? 'needs' : 'inputs';
      const written: unknown = step[needsKey];
      const needs = Array.isArray(written) ? written.filter(isId).map(String) : [];
      facts.nodes.push({ id: String(step.id), index, needs, needsKey });
    }
    const agentKey = seed ? 'assignedAgent' : 'agent';
    const named = step[agentKey];
    if (typeof named === 'string' && named !== '') facts.agents.push({ index, key: agentKey, name: named });
    else if (!seed && named === undefined && defaultAgent !== undefined && step.run === undefined) {
      facts.agents.push({ index, key: agentKey, name: defaultAgent });
    }
    // Candidates' agents and fallbacks must be agents as well.
    for (const key of seed ? [] : ['agents', 'fallback']) {
      const listed = step[key];
      if (!Array.isArray(listed)) continue;
      for (const name of listed)
        if (typeof name === 'string' && name !== '') facts.agents.push({ index, key, name });
    }
  });
  return facts;
}

function isId(value: unknown): value is string | number {
  return (
    (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isInteger(value))
  );
}
