import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterWith, planFile, redisMissing } from './distributed-support.js';
import { gitRepo } from './workspace-support.js';

const skip = await redisMissing();

const secret = 'sk-test-do-not-ship-4f9a1c';

test("no API key or secret from the coordinator's agent configuration travels in a job payload or anywhere in Redis", {
  skip,
  timeout: 300_000,
}, async () => {
  const { cluster } = await clusterWith(['payloads']);
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile(`name: secrets-stay-home
steps:
  - { id: first, agent: shell, isolate: true, run: 'echo one > one.txt' }
  - { id: second, agent: shell, needs: [first], run: 'test -f one.txt' }
`);
  const agentsWithSecrets = {
    agents: { shell: { env: { DEPLOY_TOKEN: secret } }, claude: { env: { ANTHROPIC_API_KEY: secret } } },
  };
  await cluster.runToSuccess(plan, repo, agentsWithSecrets);
  // Finished jobs stay a day: their payloads, results and the queues' event streams can all be read.
  const seen: string[] = [];
  let jobs = 0;
  let cursor = '0';
  do {
    const [next, keys] = await cluster.redis.scan(cursor, 'MATCH', `${cluster.prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await cluster.redis.type(key);
      if (type === 'hash') {
        const fields = await cluster.redis.hgetall(key);
        if (fields.data !== undefined && key.includes(':agent-shell:')) jobs += 1;
        seen.push(...Object.values(fields));
      } else if (type === 'stream') {
        for (const [, entry] of await cluster.redis.xrange(key, '-', '+')) seen.push(...entry);
      } else if (type === 'string') seen.push((await cluster.redis.get(key)) ?? '');
    }
  } while (cursor !== '0');
  assert.equal(jobs, 2, 'both attempts were read back from Redis');
  const leaks = seen.filter((text) => text.includes(secret));
  assert.deepEqual(leaks, [], 'the secret is nowhere in Redis');
});
