/**
 * A worker's dead-man switch, run as its own small process: the worker tells it (one JSON line on stdin
 * each) which process trees serve its attempts; when its stdin closes — the worker ended, even by SIGKILL —
 * it stops every tree still listed, so no agent keeps editing a worktree for an attempt that now runs
 * elsewhere. Trees are found by process group or cgroup only: the step tag is the same for another
 * worker's execution of the same attempt on this machine.
 */
import { z } from 'zod';
import { killProcessTree } from '../../agents/process/kill-tree.js';
import { systemClock } from '../../support/clock.js';

const rootSchema = z.object({
  pid: z.number().int().positive(),
  pgid: z.number().int().positive(),
  startTime: z.string(),
  bootId: z.string(),
  cgroup: z.string().optional(),
});
const messageSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), root: rootSchema }),
  z.object({ op: z.literal('remove'), pid: z.number().int(), startTime: z.string() }),
]);

const trees = new Map<string, z.infer<typeof rootSchema>>();
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  pending += chunk;
  let newline = pending.indexOf('\n');
  while (newline >= 0) {
    const line = pending.slice(0, newline);
    pending = pending.slice(newline + 1);
    newline = pending.indexOf('\n');
    const parsed = messageSchema.safeParse(safeJson(line));
    if (!parsed.success) continue;
    const message = parsed.data;
    if (message.op === 'add') trees.set(`${message.root.pid}/${message.root.startTime}`, message.root);
    else trees.delete(`${message.pid}/${message.startTime}`);
  }
});
process.stdin.on('close', () => {
  void Promise.all(
    [...trees.values()].map((root) => killProcessTree(root, { clock: systemClock, graceMs: 0 })),
  ).finally(() => process.exit(0));
});
// The worker's signals are not ours: only its stdin closing ends the watch.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
