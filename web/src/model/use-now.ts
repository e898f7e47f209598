/** The time now, for views that show elapsed time or a now-line. */
import { useEffect, useState } from 'preact/hooks';

/** Returns the time now, with a re-render every `everyMs` while given (running steps' elapsed time moves). */
export function useNow(everyMs: number | undefined): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (everyMs === undefined) return undefined;
    const timer = setInterval(() => setTick((tick) => tick + 1), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return Date.now();
}
