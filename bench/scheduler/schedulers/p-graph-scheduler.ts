/**
 * microsoft/p-graph 2.0.0, the peer library: a max-heap on cumulative priority. Given default priorities
 * (all 0), as a user who sets none would run it, so ties decide the order.
 */
// p-graph is CommonJS; a default import is Node's module.exports, which works under any ESM loader
// (named imports would depend on Node's static CJS export detection).
import pGraph from 'p-graph';
import type { SimulatedScheduler } from './simulated-scheduler.js';

const { PGraph } = pGraph;

export const pGraphScheduler: SimulatedScheduler = {
  name: 'p-graph 2.0.0',
  workConserving: true,
  async run({ dag, concurrency, runStep }): Promise<void> {
    const nodes = new Map(dag.steps.map((step) => [step.id, { run: () => runStep(step) }]));
    const edges = dag.steps.flatMap((step) => step.needs.map((need): [string, string] => [need, step.id]));
    await new PGraph(nodes, edges).run({ concurrency });
  },
};
