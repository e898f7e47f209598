/** The terminal view: redraws the live frame in place, throttled, then leaves the summary behind. */
import { createLogUpdate } from 'log-update';
import type { Colors } from 'picocolors/types.js';
import type { RunState } from '../../engine/run-state.js';
import { renderLiveFrame } from './live-frame.js';

export interface LiveView {
  update(state: RunState): void;
  notice(message: string): void;
  finish(): void;
}

const redrawMs = 100;

export function createLiveView(
  stream: NodeJS.WriteStream,
  colors: Colors,
  now: () => number = Date.now,
): LiveView {
  const log = createLogUpdate(stream);
  let state: RunState | undefined;
  let frame = 0;
  let notice: string | undefined;
  let dirty = false;
  let finished = false;
  const draw = (): void => {
    // A redraw queued before finish() must not paint over the summary that follows it.
    if (!state || finished) return;
    dirty = false;
    log(
      renderLiveFrame(state, {
        now: now(),
        width: stream.columns || 100,
        height: stream.rows || 30,
        frame: frame++,
        colors,
        ...(notice !== undefined && { notice }),
      }),
    );
  };
  // Animation and elapsed times move even when no event arrives.
  const timer = setInterval(draw, redrawMs);
  timer.unref();
  return {
    update(next) {
      state = next;
      if (!dirty) {
        dirty = true;
        setImmediate(draw);
      }
    },
    notice(message) {
      notice = message;
      draw();
    },
    finish() {
      finished = true;
      clearInterval(timer);
      log.clear();
      log.done();
    },
  };
}
