/**
 * Ctrl-C policy: the first press stops starting steps and gives running ones a grace period to finish,
 * the second kills them. SIGTERM and SIGHUP count as a first press. Either way the run stays resumable.
 */
export interface InterruptHandlers {
  graceful(): void;
  immediate(): void;
}

export function installInterrupts(
  handlers: InterruptHandlers,
  graceMs: number,
  onNotice: (text: string) => void,
): () => void {
  let presses = 0;
  let graceTimer: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    presses++;
    if (presses === 1) {
      onNotice(
        `${signal === 'SIGINT' ? 'Ctrl-C' : signal}: no new steps start; running steps get ${Math.round(graceMs / 1000)}s to finish. Press Ctrl-C again to stop them now.`,
      );
      handlers.graceful();
      graceTimer = setTimeout(() => handlers.immediate(), graceMs);
      graceTimer.unref();
    } else {
      onNotice('Stopping running steps now.');
      handlers.immediate();
    }
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    if (graceTimer) clearTimeout(graceTimer);
    for (const signal of signals) process.off(signal, onSignal);
  };
}
