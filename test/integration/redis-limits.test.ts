import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';

const child = new URL('./redis-limits-child.ts', import.meta.url).pathname;
const tsx = import.meta.resolve('tsx');
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const prefixes: string[] = [];

after(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

function uniquePrefix(): string {
  const prefix = `ai-collab-test:${randomUUID()}`;
  prefixes.push(prefix);
  return prefix;
}

/** A limiter process; `lines` collects its stdout lines, `exit` its exit code. */
function startChild(args: string[]) {
  const process_ = spawn(process.execPath, ['--import', tsx, child, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  process_.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  process_.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => process_.once('close', resolve)).then((code) => {
    assert.equal(code, 0, stderr);
    return code;
  });
  return { lines, exit };
}

async function waitForLine(lines: string[], wanted: (line: string) => boolean): Promise<string> {
  for (;;) {
    const line = lines.find(wanted);
    if (line !== undefined) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('four processes on one account admit, together, no more requests than the account allows', async () => {
  const prefix = uniquePrefix();
  // 10 requests per minute with a burst of 10: one window of 10; each process asks for 10.
  const children = Array.from({ length: 4 }, () => startChild(['take', prefix, '10']));
  await Promise.all(children.map((entry) => entry.exit));
  const results = children.map(
    (entry) => JSON.parse(entry.lines[0] ?? '{}') as { admitted: number; waits: number[] },
  );
  const admitted = results.reduce((sum, result) => sum + result.admitted, 0);
  assert.equal(admitted, 10, `admitted per process: ${results.map((result) => result.admitted).join(', ')}`);
  const waits = results.flatMap((result) => result.waits);
  assert.equal(waits.length, 30);
  // Each refusal says to wait for the window's end, at most the 60 s window.
  assert.ok(
    waits.every((ms) => ms > 0 && ms <= 60_000),
    waits.join(', '),
  );
});

test('a retry-after seen by one process is honoured by all: those running learn it at once, newcomers from Redis', async () => {
  const prefix = uniquePrefix();
  const hour = 3_600_000;
  const watcher = startChild(['watch', prefix]);
  await waitForLine(watcher.lines, (line) => line === 'ready');
  await startChild(['pause', prefix, String(hour)]).exit;
  await watcher.exit;
  const seen = JSON.parse(watcher.lines[1] ?? '{}') as { pausedForMs: number };
  assert.ok(
    seen.pausedForMs > hour - 60_000 && seen.pausedForMs <= hour,
    `paused for ${seen.pausedForMs} ms`,
  );

  const newcomer = startChild(['take', prefix, '1']);
  await newcomer.exit;
  const result = JSON.parse(newcomer.lines[0] ?? '{}') as { admitted: number; waits: number[] };
  assert.equal(result.admitted, 0);
  assert.ok((result.waits[0] ?? 0) > hour - 60_000, `would wait ${result.waits[0]} ms`);
});
