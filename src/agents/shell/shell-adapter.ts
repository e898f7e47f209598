/** The shell adapter: a step's prompt run by `sh -c` in the workspace. No model, so it cannot plan or review. */
import { type AdapterDescriptor, everyContractCase } from '../adapter-descriptor.js';
import { lazyAgent } from '../lazy-agent.js';
import { baseEnvironmentPolicy, mergePolicies } from '../process/child-environment.js';
import { type ShellSpec, shellSettings } from './shell-spec.js';

const noModel = { notApplicable: 'a shell step runs a command; no model answers it' } as const;

export const shellAdapter: AdapterDescriptor<ShellSpec> = {
  kind: 'shell',
  summary: 'a shell command (`sh -c`) in the workspace; no model',
  settings: shellSettings,
  modes: [],
  cli: undefined,
  testCli: { none: 'runs /bin/sh' },
  defaultCapabilities: ['execute'],
  thinks: { none: 'name a model or an agent CLI' },
  defaultReviewer: 'never',
  ownSettings: (settings) => shellSettings.parse(settings),
  unavailable: () => undefined,
  credentials: () => ({ found: true, detail: 'none needed' }),
  environment: () => ({ names: [], prefixes: [] }),
  readOnly: (spec) => spec,
  doctor: () => 'sh -c in the workspace',
  plannerDescription: () => 'runs a shell command in the workspace',
  // Loaded when a step first runs: reading the configuration (`runs`, `status`) starts no process.
  create: (spec, deps) =>
    lazyAgent('shell', async () =>
      (await import('./shell-agent.js')).createShellAgent({
        clock: deps.clock,
        environment: mergePolicies(baseEnvironmentPolicy, { names: spec.passEnv, prefixes: [] }),
        sourceEnvironment: deps.environment,
        maxLogBytes: deps.maxLogBytes,
        killGraceMs: deps.killGraceMs,
        drainMs: 2_000,
        extraEnvironment: spec.env,
      }),
    ),
  contract: {
    default: {
      ...everyContractCase,
      'stream-parts-in-order': {
        notApplicable: 'a shell step writes its output to the log; it has no stream parts',
      },
      'reports-usage': noModel,
      'rate-limit-with-reset': noModel,
      'rate-limit-without-reset': noModel,
      'server-error': noModel,
      'auth-failure': noModel,
      'usage-limit': noModel,
      'aborted-mid-stream': {
        notApplicable:
          'a shell step has no turn to stop midway; stopping its command is cancel-leaves-no-process',
      },
      'pool-reuses-and-recycles': { notApplicable: 'one `sh -c` per step; there is no pool' },
    },
  },
};
