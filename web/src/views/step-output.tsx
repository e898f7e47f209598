/**
 * A step's output: the log's tail first, then live chunks from the stream. When the run executes in
 * another process (no live chunks reach this server), the log is read again every two seconds instead.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { StepState } from '../../../src/engine/run-state.js';
import type { ApiClient } from '../model/api-client.js';

interface OutputRange {
  nextOffset: number;
  text: string;
}

export function StepOutput(props: {
  api: ApiClient;
  runId: string;
  step: StepState;
  /** The attempt shown; the latest by default. */
  attempt?: number;
  live: { attempt: number; text: string } | undefined;
}) {
  const { api, runId, step } = props;
  const shown = props.attempt ?? step.attempts;
  const latest = shown === step.attempts;
  const live = latest ? props.live : undefined;
  const [logged, setLogged] = useState<{ attempt: number; text: string; offset: number } | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const pre = useRef<HTMLPreElement>(null);
  const base = `/api/runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(step.id)}/output`;

  useEffect(() => {
    if (step.attempts === 0) return undefined;
    let cancelled = false;
    const attempt = shown;
    const read = async (offset?: number) => {
      try {
        const range = await api.get<OutputRange>(
          `${base}?attempt=${attempt}${offset === undefined ? '' : `&offset=${offset}`}`,
        );
        if (cancelled) return;
        setProblem(undefined);
        setLogged((previous) =>
          previous && previous.attempt === attempt && offset !== undefined
            ? { attempt, text: (previous.text + range.text).slice(-200_000), offset: range.nextOffset }
            : { attempt, text: range.text, offset: range.nextOffset },
        );
        return range.nextOffset;
      } catch (error) {
        if (!cancelled) setProblem(error instanceof Error ? error.message : String(error));
        return offset;
      }
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const follow = async (offset: number | undefined) => {
      const next = await read(offset);
      if (!cancelled && latest && step.status === 'running' && !live)
        timer = setTimeout(() => void follow(next), 2_000);
    };
    void follow(undefined);
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [runId, step.id, shown, step.attempts, step.status === 'running', live === undefined]);

  useEffect(() => {
    const element = pre.current;
    if (element) element.scrollTop = element.scrollHeight;
  });

  // Live text while the step runs; once it ended, the log itself (the live text is a digest of it).
  const liveText = live && live.attempt === shown && step.status === 'running' ? live.text : '';
  const text = liveText !== '' ? liveText : (logged?.text ?? '');
  return (
    <section class="output" aria-label={`Raw output of ${step.id}`}>
      {problem && step.attempts > 0 && text === '' && <p class="muted">{problem}</p>}
      <pre
        ref={pre}
        class="output-text"
        data-testid="step-output"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls (long logs, long stream-json lines); focus lets the keyboard scroll it (WCAG 2.1.1).
        tabIndex={0}
      >
        {text === '' ? (step.attempts === 0 ? 'The step has not started.' : 'No output yet.') : text}
      </pre>
    </section>
  );
}
