// The adapter contract suite: every case of contract-cases.ts against every adapter in every mode its
// descriptor lists, each on its real CLI against the scripted model server. A case an adapter cannot
// express is reported as not applicable by its descriptor (a passing test that says why), never skipped.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contractCases } from '../../src/agents/adapter-descriptor.js';
import { contractAdapters } from './adapter-contract/contract-adapters.js';
import { cases } from './adapter-contract/contract-cases.js';

// Some adapters per run when ADAPTER names them (`ADAPTER='codex exec,gemini acp'`): each starts real
// CLIs. CASE narrows the cases the same way while working on some.
const listed = (value: string | undefined) => value?.split(',').map((entry) => entry.trim());
const only = listed(process.env.ADAPTER);
const onlyCase = listed(process.env.CASE);

for (const adapter of contractAdapters.filter((entry) => !only || only.includes(entry.name))) {
  describe(`adapter contract: ${adapter.name}`, { skip: adapter.missing }, () => {
    for (const name of contractCases.filter((entry) => !onlyCase || onlyCase.includes(entry))) {
      const run = cases[name];
      const support = adapter.cases[name];
      if (support !== true) {
        test(`${name}: not applicable by design — ${support.notApplicable}`, () => {
          assert.ok(support.notApplicable.length > 0);
        });
        continue;
      }
      test(name, { timeout: 240_000 }, (t) => run(adapter, t));
    }
  });
}
