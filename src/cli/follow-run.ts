/** Shows a run while it executes (live view on a terminal, plain lines otherwise) and reports its end. */
import { join } from 'node:path';
import pc from 'picocolors';
import type { RunHandle } from '../engine/engine.js';
import type { RunState } from '../engine/run-state.js';
import { awaitApproval } from './approval-prompt.js';
import { exitCodeForRun } from './exit-codes.js';
import { installInterrupts } from './interrupts.js';
import { describeEvent } from './output/plain-progress.js';
import { renderSummary } from './output/run-summary.js';
import { renderWorkspaceSummary } from './output/workspace-summary.js';
import { buildRunReport } from './run-report.js';
import type { Runtime } from './runtime.js';

export interface FollowOptions {
  json: boolean;
  stderr: NodeJS.WriteStream;
  stdout: NodeJS.WritableStream;
  stdin?: NodeJS.ReadStream;
  cwd: string;
  /** Stop waiting for approval after this long (the run stays awaiting approval). */
  pauseApprovalAfterMs?: number;
}

export async function followRun(
  runtime: Runtime,
  handle: RunHandle,
  options: FollowOptions,
): Promise<number> {
  const { stderr } = options;
  if (handle.state.status === 'awaiting_approval') await approvalPhase(runtime, handle, options);
  const interactive = Boolean(stderr.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  const colors = pc.createColors(Boolean(stderr.isTTY) && !process.env.NO_COLOR);
  // Loaded only for a terminal: plain lines need none of its screen-drawing packages (log-update and ~15 more).
  const live = interactive
    ? (await import('./output/live-view.js')).createLiveView(stderr, colors)
    : undefined;
  const unsubscribe = handle.subscribe((event, state) => {
    if (live) live.update(state);
    else {
      const line = describeEvent(event, state);
      if (line) stderr.write(`${line}\n`);
    }
  });
  live?.update(handle.state);
  const notice = (text: string): void => {
    if (live) live.notice(text);
    else stderr.write(`${new Date().toISOString()} ${text}\n`);
  };
  const removeInterrupts = installInterrupts(
    {
      graceful: () => runtime.engine.stopAll('graceful', 'interrupted by the user'),
      immediate: () => runtime.engine.stopAll('immediate', 'interrupted by the user'),
    },
    runtime.config.interruptGraceMs,
    notice,
  );
  let state: RunState;
  try {
    state = await handle.done;
  } finally {
    removeInterrupts();
    unsubscribe();
    live?.finish();
  }
  stderr.write(
    `${renderSummary(state, {
      colors,
      now: runtime.clock.now(),
      cwd: options.cwd,
      logsDir: join(runtime.paths.stateDir, 'runs', state.runId, 'logs'),
    })}\n`,
  );
  const changes = renderWorkspaceSummary(state, colors);
  if (changes) stderr.write(`${changes}\n`);
  if (options.json) options.stdout.write(`${JSON.stringify(buildRunReport(state))}\n`);
  if (state.status === 'awaiting_approval') {
    stderr.write(
      `Run ${state.runId} still waits for approval. Approve and run it with: ai-collab approve ${state.runId} (or approve it from the dashboard, VS Code or MCP)\n`,
    );
  }
  return exitCodeForRun(state.status);
}

/** Shows the plan and waits for a decision; Ctrl-C or the pause timer end the wait without one. */
async function approvalPhase(runtime: Runtime, handle: RunHandle, options: FollowOptions): Promise<void> {
  const stopWaiting = (reason: string): void => runtime.engine.stop(handle.runId, 'graceful', reason);
  const removeInterrupts = installInterrupts(
    {
      graceful: () => stopWaiting('interrupted while waiting for approval'),
      immediate: () => stopWaiting('interrupted'),
    },
    0,
    () => {},
  );
  const pauseTimer =
    options.pauseApprovalAfterMs === undefined
      ? undefined
      : setTimeout(
          () => stopWaiting('no decision in time; the run waits, paused'),
          options.pauseApprovalAfterMs,
        );
  try {
    await awaitApproval(runtime, handle, {
      stdin: options.stdin ?? process.stdin,
      stderr: options.stderr,
      environment: process.env,
    });
  } finally {
    if (pauseTimer) clearTimeout(pauseTimer);
    removeInterrupts();
  }
}
