import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { type CachedReview, parseCachedReview } from '../../../src/review/review-cache.js';
import { reliabilityFrom } from '../../../src/review/reviewer-reliability.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempDir } from '../../support/temp-dir.js';

function review(verdict: CachedReview['verdict'], reviewedAt = 1): CachedReview {
  return {
    verdict,
    votes: [
      {
        reviewer: 'alpha',
        vote: verdict === 'approved' ? 'approve' : 'reject',
        confidence: 0.9,
        reason: 'because',
        evidence: ['return a + b;'],
      },
    ],
    tally: {
      approvals: verdict === 'approved' ? 1 : 0,
      rejections: verdict === 'approved' ? 0 : 1,
      abstentions: 0,
      counted: 1,
      approveWeight: verdict === 'approved' ? 0.9 : 0,
      rejectWeight: verdict === 'approved' ? 0 : 0.9,
    },
    reviewedAt,
  };
}

function openCache(path: string, maxEntries?: number) {
  const clock = new FakeClock();
  const store = new SqliteStore({ path, clock });
  const cache = store.reviewCache<CachedReview>({
    parse: parseCachedReview,
    ...(maxEntries !== undefined && { maxEntries }),
  });
  return { store, cache, clock };
}

test('a review stored by one process is answered to the next one from the same database', async () => {
  const path = join(tempDir(), 'state.db');
  const first = openCache(path);
  assert.equal(await first.cache.get('k1'), undefined);
  await first.cache.put('k1', review('approved'));
  first.store.close();

  const second = openCache(path);
  assert.deepEqual(await second.cache.get('k1'), review('approved'));
  await second.cache.put('k1', review('rejected', 2));
  assert.equal(
    (await second.cache.get('k1'))?.verdict,
    'rejected',
    'a later review replaces the earlier one',
  );
  second.store.close();
});

test('a damaged or foreign row is a miss, and is removed', async () => {
  const path = join(tempDir(), 'state.db');
  const { store, cache } = openCache(path);
  await cache.put('k1', review('approved'));
  store.close();
  const raw = new Database(path);
  raw.prepare("UPDATE review_cache SET review = ? WHERE cache_key = 'k1'").run('{"verdict":"approved"}');
  raw.prepare("INSERT INTO review_cache VALUES ('k2', 'not json', 1, 1)").run();
  raw.close();
  const reopened = openCache(path);
  assert.equal(await reopened.cache.get('k1'), undefined);
  assert.equal(await reopened.cache.get('k2'), undefined);
  reopened.store.close();
  const check = new Database(path);
  assert.equal((check.prepare('SELECT COUNT(*) AS n FROM review_cache').get() as { n: number }).n, 0);
  check.close();
});

test('past its size the least recently used reviews go', async () => {
  const { store, cache, clock } = openCache(':memory:', 2);
  await cache.put('a', review('approved'));
  await clock.advance(10);
  await cache.put('b', review('approved'));
  await clock.advance(10);
  assert.ok(await cache.get('a'), 'a is used again, so b is now the oldest');
  await clock.advance(10);
  await cache.put('c', review('rejected'));
  // Pruning runs on the first write and then every 64th: write until it has run again.
  for (let index = 0; index < 63; index++) await cache.put('c', review('rejected'));
  assert.equal(await cache.get('b'), undefined);
  assert.ok(await cache.get('a'));
  assert.ok(await cache.get('c'));
  store.close();
});

test('the stored reviews, read back at load, give each reviewer its record', async () => {
  const path = join(tempDir(), 'state.db');
  const first = openCache(path);
  await first.cache.put('k1', review('approved', 1));
  await first.cache.put('k2', review('rejected', 2));
  first.store.close();
  const raw = new Database(path);
  raw.prepare("INSERT INTO review_cache VALUES ('k3', 'not json', 3, 3)").run();
  raw.close();

  const second = openCache(path);
  const stored = second.cache.all();
  assert.deepEqual(
    stored.map((entry) => entry.verdict),
    ['approved', 'rejected'],
    'oldest first; the damaged row is skipped',
  );
  const reliability = reliabilityFrom(stored);
  assert.deepEqual(reliability.recordOf('alpha'), { agreed: 2, disagreed: 0 });
  assert.equal(reliability.accuracyOf('alpha'), 3 / 4, 'Beta(1, 1) prior: (2 + 1) / (2 + 2)');
  second.store.close();
});
