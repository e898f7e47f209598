/**
 * When whoever reads our output goes away (`ai-collab runs | head -1`, a closed terminal), every later
 * write fails with EPIPE. Unhandled, that error crashes the process with a stack trace on a stream nobody
 * reads. Instead: a command that is running a plan stops as it would when its terminal closes (SIGHUP: no
 * new steps, running ones get their grace period, the run stays resumable); any other command ends at
 * once, quietly, with the exit code it already had.
 */
export function exitQuietlyWhenReaderGoes(
  streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr],
): void {
  let gone = false;
  const onError = (): void => {
    if (gone) return;
    gone = true;
    if (process.listenerCount('SIGHUP') > 0) process.kill(process.pid, 'SIGHUP');
    else process.exit(process.exitCode ?? 0);
  };
  // Any write error means the output cannot be delivered; staying quiet is all that is left to do.
  for (const stream of streams) stream.on('error', onError);
}
