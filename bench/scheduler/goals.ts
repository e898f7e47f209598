/** The targets this benchmark reports against (from the brief and performance.md §1.3 / §8). */

/** p90 of engine makespan ÷ LB at the reference concurrency. */
export const makespanGoal = { concurrency: 4, p90: 1.05 } as const;

/** The largest no-op run: wall time and peak RSS of its process. */
export const overheadGoal = { wallMs: 30_000, peakRssMb: 512 } as const;

/** time(largest) ÷ time(smallest) for a 10× size step: at most a little worse than linear. */
export const scalingGoal = 12;

/** Part 3: the CLI's wall time for trivial shell steps ÷ make's on the same DAG. */
export const cliGoal = { wallRatio: 5 } as const;

/**
 * Part 4: the last of many plans submitted at once starts its first step this many times sooner with
 * round-robin than with FIFO, and everything finishes no later than FIFO's finish × allDoneRatio.
 */
export const fairnessGoal = { firstStartRatio: 3, allDoneRatio: 1.01 } as const;
