export { requestDashboardLink } from './dashboard-link.js';
export type { RuntimeStats, ServerEngine, ServerStore } from './engine-port.js';
export type { DiffSource, StepDiff } from './http/step-diff.js';
export { readServerFile, type ServerFile, serverFilePath } from './server-file.js';
export type { ServerLimits, ServerOptions } from './server-options.js';
export { type RunningServer, startServer } from './start-server.js';
export type { ClientMessage, RunSummary, ServerMessage, WireEvent } from './stream/stream-protocol.js';
