/**
 * What this machine allows at all, measured in the same run as the CLI's numbers: BullMQ alone with empty
 * jobs (its dispatch latency and throughput on this Redis), and starting processes (every step starts at
 * least one, the shell, and a worker one `git status`), so a distributed number can be read against them:
 * no-op steps per second cannot exceed process starts per second ÷ processes per step.
 */
import { spawn } from 'node:child_process';
import { Queue, QueueEvents, Worker } from 'bullmq';

export interface Floors {
  /** One job at a time: add → the processor is called. */
  bullmqDispatchMs: number[];
  bullmqJobsPerSecond: number;
  spawnsPerSecond: number;
}

export async function measureFloors(options: {
  redisUrl: string;
  prefix: string;
  jobs: number;
  workers: number;
  concurrency: number;
}): Promise<Floors> {
  const url = new URL(options.redisUrl);
  const connection = { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
  const name = 'floor';
  const queue = new Queue(name, { connection, prefix: options.prefix });
  const events = new QueueEvents(name, { connection, prefix: options.prefix });
  const added = new Map<string, number>();
  const dispatchMs: number[] = [];
  let completed = 0;
  let allDone: () => void = () => {};
  const workers = Array.from(
    { length: options.workers },
    () =>
      new Worker(
        name,
        async (job) => {
          const at = added.get(job.id ?? '');
          if (at !== undefined) dispatchMs.push(performance.now() - at);
        },
        { connection, prefix: options.prefix, concurrency: options.concurrency },
      ),
  );
  for (const worker of workers)
    worker.on('completed', (job) => {
      if (job.name === 'bulk' && ++completed === options.jobs) allDone();
    });
  await Promise.all([
    queue.waitUntilReady(),
    events.waitUntilReady(),
    ...workers.map((w) => w.waitUntilReady()),
  ]);
  for (let index = 0; index < 50; index++) {
    const id = `serial-${index}`;
    added.set(id, performance.now());
    // Kept until the queue is obliterated: a job removed on completion can vanish before
    // waitUntilFinished looks, which then fails with "Missing key".
    const job = await queue.add('serial', {}, { jobId: id });
    await job.waitUntilFinished(events);
  }
  const serial = [...dispatchMs];
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const started = performance.now();
  for (let offset = 0; offset < options.jobs; offset += 500) {
    const batch = Array.from({ length: Math.min(500, options.jobs - offset) }, () => ({
      name: 'bulk',
      data: {},
      opts: { removeOnComplete: true },
    }));
    await queue.addBulk(batch);
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(workers.map((worker) => worker.close()));
  await events.close();
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  return {
    bullmqDispatchMs: serial,
    bullmqJobsPerSecond: options.jobs / seconds,
    spawnsPerSecond: await spawnRate(200, options.workers),
  };
}

/** `sh -c :` `count` times, `parallel` at once: how fast this machine starts processes now. */
async function spawnRate(count: number, parallel: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      await new Promise((resolve) => spawn('sh', ['-c', ':'], { stdio: 'ignore' }).once('close', resolve));
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return count / ((performance.now() - started) / 1000);
}
