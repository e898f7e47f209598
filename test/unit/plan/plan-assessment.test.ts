/** The planner's assessment in a plan's `meta`: approval asks for a person on its word, and shows it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pc from 'picocolors';
import { renderPlanOverview } from '../../../src/cli/output/plan-overview.js';
import { createRunState } from '../../../src/engine/projection.js';
import { summarizePlan } from '../../../src/mcp/run-summary.js';
import { approvalReason } from '../../../src/plan/approval-policy.js';
import type { PlanDefinition } from '../../../src/protocol/plan-types.js';
import { planOf, runCreatedBody } from '../../support/test-engine.js';

const colors = pc.createColors(false);
const withMeta = (meta: Record<string, unknown>): PlanDefinition => ({ ...planOf([{ id: 'a' }]), meta });
const sure = {
  overall: 0.9,
  taskClarity: 0.8,
  contextSufficiency: 0.7,
  approachConfidence: 0.95,
  executionFeasibility: 0.85,
};

test('auto approval asks a person when the planner is unsure, names a serious risk, or asks itself', () => {
  assert.equal(approvalReason(withMeta({ confidence: sure }), 'auto', 0.7), undefined);
  assert.equal(
    approvalReason(withMeta({ confidence: { ...sure, overall: 0.5 } }), 'auto', 0.7),
    "the planner's confidence 0.50 is below 0.7",
  );
  assert.equal(
    approvalReason(
      withMeta({ risks: [{ severity: 'low' }, { severity: 'critical' }, { severity: 'high' }] }),
      'auto',
      0.7,
    ),
    'the plan has 2 high or critical risk(s)',
  );
  assert.equal(
    approvalReason(withMeta({ requiresApproval: true }), 'auto', 0.7),
    'the planner asked for approval',
  );
  assert.equal(approvalReason(planOf([{ id: 'a' }]), 'auto', 0.7), undefined);
});

test('a malformed assessment read back from a log counts only what is well formed, and never throws', () => {
  const malformed = withMeta({
    confidence: { overall: 'low', taskClarity: 0.3 },
    risks: [null, 'high', 7, { severity: 'critical', description: 42 }],
    requiresApproval: 'yes',
    rationale: ['not', 'text'],
  });
  assert.equal(approvalReason(malformed, 'auto', 0.7), 'the plan has 1 high or critical risk(s)');
  assert.equal(approvalReason(withMeta({ confidence: 'sure', risks: 'none' }), 'auto', 0.7), undefined);

  const overview = renderPlanOverview(malformed, colors);
  assert.ok(!overview.includes('Confidence'), 'no confidence line without an overall score');
  assert.ok(!overview.includes('Rationale'), 'a rationale that is not text is not shown');
  assert.ok(overview.includes('  ! critical : '), 'the serious risk is listed, with its text left out');
  assert.equal(overview.match(/ {2}! unknown/g)?.length, 3, 'risks that are not objects show as unknown');

  const state = createRunState({ ...runCreatedBody(malformed), runId: 'r1', seq: 1, at: 0 });
  const summary = summarizePlan(state);
  assert.equal(summary.rationale, undefined);
  assert.deepEqual(summary.risks, [
    'undefined: undefined',
    'undefined: undefined',
    'undefined: undefined',
    'critical: undefined',
  ]);
});

test('the overview shows the confidence scores, the rationale and each risk with its mitigation', () => {
  const overview = renderPlanOverview(
    withMeta({
      confidence: sure,
      analysis: { rationale: 'Split by module.' },
      risks: [{ severity: 'high', category: 'security', description: 'touches auth', mitigation: 'review' }],
    }),
    colors,
  );
  assert.ok(
    overview.includes('Confidence 0.90 (clarity 0.80, context 0.70, approach 0.95, feasibility 0.85)'),
    overview,
  );
  assert.ok(overview.includes('Rationale: Split by module.'));
  assert.ok(overview.includes('  ! high security: touches auth — mitigation: review'));
});
