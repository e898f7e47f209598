/**
 * Proves the simulation before trusting its numbers: makespans of tiny DAGs whose answer is known, for
 * every scheduler, and the engine's makespans unchanged when the clock waits far longer before each
 * time jump (if they changed, time was advancing while the engine still had dispatch work queued).
 */
import { mulberry32 } from './prng.js';
import { agentLikeShape, type BenchDag, randomDag } from './random-dag.js';
import { allSchedulers, engineExactName } from './scheduler-set.js';
import { engineScheduler } from './schedulers/engine-scheduler.js';
import { pGraphScheduler } from './schedulers/p-graph-scheduler.js';
import { sequentialScheduler } from './schedulers/sequential-scheduler.js';
import type { SimulatedScheduler } from './schedulers/simulated-scheduler.js';
import { simulateMakespan } from './simulate-run.js';
import type { SettlePolicy } from './simulation-clock.js';

interface KnownCase {
  label: string;
  dag: BenchDag;
  concurrency: number;
  expectedMs: number;
}

const second = 1_000;
/** Ten times the default patience; a correct simulation gives identical makespans with either. */
const patientSettle: SettlePolicy = { minTurns: 30, quietTurns: 20 };

const chain: BenchDag = {
  steps: [
    { id: 'a', needs: [], durationMs: 10 * second },
    { id: 'b', needs: ['a'], durationMs: 20 * second },
    { id: 'c', needs: ['b'], durationMs: 30 * second },
  ],
};
const fourEqual: BenchDag = {
  steps: ['a', 'b', 'c', 'd'].map((id) => ({ id, needs: [], durationMs: 60 * second })),
};

const knownCases: KnownCase[] = [
  { label: 'chain 10→20→30 s, c=4', dag: chain, concurrency: 4, expectedMs: 60 * second },
  { label: '4 independent 60 s, c=4', dag: fourEqual, concurrency: 4, expectedMs: 60 * second },
  { label: '4 independent 60 s, c=2', dag: fourEqual, concurrency: 2, expectedMs: 120 * second },
];

/** Returns report lines; throws on the first wrong answer. */
export async function runSimulationSelfCheck(seed: number): Promise<string[]> {
  const lines: string[] = [];
  for (const known of knownCases) {
    const got: string[] = [];
    for (const scheduler of allSchedulers()) {
      const expected =
        scheduler === sequentialScheduler
          ? known.dag.steps.reduce((sum, step) => sum + step.durationMs, 0)
          : known.expectedMs;
      const makespan = await simulateMakespan(scheduler, known.dag, known.concurrency);
      if (makespan !== expected) {
        throw new Error(
          `self-check ${known.label}: ${scheduler.name} took ${makespan} ms, expected ${expected}`,
        );
      }
      got.push(`${makespan / second}`);
    }
    lines.push(`${known.label}: ${got.join(' / ')} s (engine / p-graph / level / sequential) ✓`);
  }
  const random = mulberry32(seed ^ 0x5eed);
  const engine = engineScheduler(engineExactName, (step) => step.durationMs);
  const samples = 5;
  for (let index = 0; index < samples; index++) {
    const dag = randomDag(random, agentLikeShape);
    const quick = await simulateMakespan(engine, dag, 4);
    const patient = await simulateMakespan(engine, dag, 4, patientSettle);
    if (quick !== patient) {
      throw new Error(
        `self-check: engine makespan ${quick} ms with default settling, ${patient} ms when patient`,
      );
    }
  }
  lines.push(
    `engine makespans identical with ${patientSettle.minTurns}-turn settling (${samples} DAGs, c=4) ✓`,
  );
  lines.push(await checkValidatorHasTeeth(randomDag(random, agentLikeShape)));
  return lines;
}

/**
 * The work-conserving check is what would expose a clock that jumps too early, so prove it fires:
 * p-graph made to start every step 1 ms late must be rejected.
 */
async function checkValidatorHasTeeth(dag: BenchDag): Promise<string> {
  const late: SimulatedScheduler = {
    name: 'p-graph starting steps 1 ms late',
    workConserving: true,
    run: (task) =>
      pGraphScheduler.run({
        ...task,
        runStep: async (step, signal) => {
          await task.clock.sleep(1, signal);
          await task.runStep(step, signal);
        },
      }),
  };
  try {
    await simulateMakespan(late, dag, 4);
  } catch (error) {
    if (String(error).includes('while one was idle')) {
      return 'schedule check rejects a scheduler that starts steps 1 ms late ✓';
    }
    throw error;
  }
  throw new Error('self-check: the schedule check accepted steps started 1 ms late next to an idle slot');
}
