import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepDefinition } from '../../../src/protocol/plan-types.js';
import { findTargetOverlaps, normalizeTarget, targetPaths } from '../../../src/workspace/target-overlaps.js';

function step(id: string, target: string | undefined, extra: Partial<StepDefinition> = {}): StepDefinition {
  return {
    id,
    label: id,
    agent: 'claude',
    action: 'edit',
    ...(target !== undefined && { target }),
    needs: [],
    retries: 0,
    backoff: { initialMs: 1, maxMs: 1, factor: 1 },
    ...extra,
  };
}

test('targets are normalised paths; lists are split; globs become their directory', () => {
  assert.deepEqual(targetPaths('./src//db/schema.ts, src/db/'), ['src/db/schema.ts', 'src/db']);
  assert.deepEqual(targetPaths('a.ts; b.ts\nc.ts'), ['a.ts', 'b.ts', 'c.ts']);
  assert.equal(normalizeTarget('src/**/*.ts'), 'src');
  assert.equal(normalizeTarget('**/*.ts'), '');
  assert.equal(normalizeTarget('pages/[id].tsx'), 'pages/[id].tsx', 'brackets are path characters');
  assert.equal(normalizeTarget('  '), undefined);
});

test('parallel steps with the same or nested targets are warned about; dependent steps are not', () => {
  const report = findTargetOverlaps([
    step('schema', 'src/db/schema.ts'),
    step('migrate', 'src/db'),
    step('api', 'src/api/users.ts'),
    step('later', 'src/api/users.ts', { needs: ['bridge'] }),
    step('bridge', undefined, { needs: ['api'] }),
    step('docs', 'README.md'),
  ]);
  assert.deepEqual(
    report.warnings.map((warning) => warning.steps),
    [['schema', 'migrate']],
  );
  const [warning] = report.warnings;
  assert.deepEqual(warning?.targets, ['src/db/schema.ts', 'src/db']);
  assert.match(
    warning?.message ?? '',
    /steps schema and migrate may run at the same time and both change "src\/db\/schema\.ts" and "src\/db"/,
  );
  assert.match(warning?.message ?? '', /add "schema" to its needs/);
  assert.equal(report.omitted, 0);
});

test('read-only steps and shell steps never warn; a glob over everything overlaps any target', () => {
  const report = findTargetOverlaps([
    step('look', 'src/a.ts', { action: 'read' }),
    step('test', 'src/a.ts', { agent: 'shell', run: 'npm test', action: undefined }),
    step('everything', '**/*.ts'),
    step('one', 'src/a.ts'),
  ]);
  assert.deepEqual(
    report.warnings.map((warning) => warning.steps),
    [['everything', 'one']],
  );
});

test('warnings are capped and the rest counted', () => {
  const steps = Array.from({ length: 12 }, (_, index) => step(`s${index}`, 'same.ts'));
  const report = findTargetOverlaps(steps, { maxWarnings: 10 });
  assert.equal(report.warnings.length, 10);
  assert.equal(report.omitted, 66 - 10);
});
