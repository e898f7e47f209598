/**
 * When whoever reads our output goes away (`ai-collab runs | head -1`, a closed terminal), every later
 * write fails with EPIPE. Unhandled, that error crashes the process with a stack trace on a stream nobody
 * reads. Instead the failed writes are dropped: a command finishes by itself and keeps its exit code, and
 * a run being followed stops as it would when its terminal closes (SIGHUP: no new steps, running ones get
 * their grace period, the run stays resumable) rather than running on unwatched.
 */
export function quietWhenReaderGoes(
  streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr],
): void {
  let gone = false;
  const onError = (): void => {
    if (gone) return;
    gone = true;
    // Only a followed run listens for SIGHUP (its interrupt handlers); nothing else needs telling.
    if (process.listenerCount('SIGHUP') > 0) process.kill(process.pid, 'SIGHUP');
  };
  // Any write error means the output cannot be delivered; staying quiet is all that is left to do.
  for (const stream of streams) stream.on('error', onError);
}
