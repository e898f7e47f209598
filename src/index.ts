/**
 * The package's public API (`import { … } from 'ai-collab'`), kept small on purpose: the engine and what it
 * is built from, plan loading, the `Agent` contract an embedder implements, and the types they speak.
 * Everything else is internal and may change without notice; the CLI is the product's other entry point.
 */

// Agents: implement `Agent` and register it by name.
export type {
  Agent,
  AgentResult,
  AgentStreamPart,
  AgentTask,
  AgentUsage,
  FailureCode,
  StepFailure,
} from './agents/agent.js';
export { AgentRegistry } from './agents/registry.js';
// The engine and its parts.
export type { LoggedEvent, UnknownEvent } from './engine/decode-events.js';
export {
  type CreateRunOptions,
  Engine,
  type EngineDeps,
  type RunHandle,
} from './engine/engine.js';
export type { RunEvent, RunEventType } from './engine/events.js';
export type { RunState, RunStatus, StepState, StepStatus } from './engine/run-state.js';
export { SlotPool, type SlotPoolOptions } from './limits/slot-pool.js';
// Plans.
export { type AgentCatalog, agentCatalogOf } from './plan/agent-catalog.js';
export { type LoadPlanOptions, loadPlanFile, parsePlanText } from './plan/load-plan.js';
export type { PlanDefinition, StepDefinition } from './protocol/plan-types.js';
export type { EventStore, OwnerIdentity, RunRecord, StoredEvent } from './store/event-store.js';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite/sqlite-store.js';
export { type Clock, systemClock } from './support/clock.js';
export {
  type ErrorCode,
  type FailureKind,
  InputError,
  OrchestratorError,
} from './support/errors.js';
export { createJsonLogger, type Logger, silentLogger } from './support/logger.js';
