/**
 * An attempt's transcript as a conversation. Read from the server in ranges; while the attempt runs, read
 * on from where the last read ended whenever live output arrives (and every two seconds when the run
 * executes in another process, whose output never reaches this server's stream).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { StepState } from '../../../src/engine/run-state.js';
import type { TranscriptPart, TranscriptRange } from '../../../src/server/http/transcript-protocol.js';
import type { AttemptRecord } from '../../../src/server/stream/step-attempts.js';
import type { ApiClient } from '../model/api-client.js';
import { formatDuration, StatusBadge } from '../views/format.js';
import { StepOutput } from '../views/step-output.js';
import { downloadRawLog } from './raw-log-download.js';
import { buildTranscript, type TranscriptEntry } from './transcript-model.js';
import './transcript.css';

const maxParts = 5_000;

export interface TranscriptViewProps {
  api: ApiClient;
  runId: string;
  step: StepState;
  attempts: readonly AttemptRecord[];
  /** Live output of the running attempt; its growth is the signal to read on. */
  live: { attempt: number; text: string } | undefined;
}

export function TranscriptView({ api, runId, step, attempts, live }: TranscriptViewProps) {
  const [chosen, setChosen] = useState<number | undefined>();
  const attempt = chosen ?? step.attempts;
  const record = attempts.find((entry) => entry.attempt === attempt);
  const running =
    attempt === step.attempts && (record?.outcome ?? 'running') === 'running' && step.attempts > 0;
  const { parts, problem } = useTranscript(
    api,
    runId,
    step.id,
    attempt,
    running,
    live?.attempt === attempt ? live.text.length : 0,
  );
  const [raw, setRaw] = useState(false);
  const [notice, setNotice] = useState<string>();
  if (step.attempts === 0) return <p class="muted">The step has not started.</p>;
  const transcript = buildTranscript(parts);
  const usage = record?.usage ?? transcript.usage;
  return (
    <div class="transcript" data-testid="transcript">
      <div class="transcript-tools">
        {attempts.length > 1 && (
          <fieldset class="attempt-chips">
            <legend class="sr-only">Attempt</legend>
            {attempts.map((entry) => (
              <button
                type="button"
                key={entry.attempt}
                aria-pressed={entry.attempt === attempt}
                class={`chip outcome-${entry.outcome}`}
                onClick={() => setChosen(entry.attempt)}
              >
                {`Attempt ${entry.attempt} · ${entry.outcome}`}
              </button>
            ))}
          </fieldset>
        )}
        <span class="spacer" />
        <button type="button" aria-pressed={raw} onClick={() => setRaw(!raw)}>
          Raw log
        </button>
        <button
          type="button"
          onClick={() =>
            void downloadRawLog(api, runId, step.id, attempt).then(setNotice, (error: unknown) =>
              setNotice(error instanceof Error ? error.message : String(error)),
            )
          }
        >
          Download
        </button>
      </div>
      {notice && <p class="muted small">{notice}</p>}
      {raw ? (
        <StepOutput api={api} runId={runId} step={step} attempt={attempt} live={live} />
      ) : (
        <ol class="conversation" aria-live={running ? 'polite' : 'off'}>
          {transcript.entries.length === 0 && (
            <li class="muted">
              {problem ??
                (running
                  ? 'Waiting for the agent to say something…'
                  : 'This agent reported no conversation; the raw log has its output.')}
            </li>
          )}
          {transcript.entries.map((entry, index) => (
            <Entry key={index} entry={entry} />
          ))}
          {running && transcript.entries.length > 0 && <li class="typing muted">working…</li>}
        </ol>
      )}
      <footer class="transcript-end">
        {record && <StatusBadge status={record.outcome} />}
        {record?.durationMs !== undefined && <span>{formatDuration(record.durationMs)}</span>}
        {transcript.toolCalls > 0 && (
          <span>{`${transcript.toolCalls} tool call${transcript.toolCalls === 1 ? '' : 's'}${transcript.toolErrors > 0 ? `, ${transcript.toolErrors} failed` : ''}`}</span>
        )}
        {usage && (
          <span>
            {`${usage.inputTokens.toLocaleString()} tokens in · ${usage.outputTokens.toLocaleString()} out`}
            {usage.costUsd !== undefined && ` · $${usage.costUsd.toFixed(4)}`}
          </span>
        )}
      </footer>
      {record?.error && (
        <p class="attempt-error" role="status">
          <strong>{record.outcome === 'retried' ? 'Failed, retried: ' : 'Failed: '}</strong>
          {`${record.error.code} — ${record.error.message}`}
        </p>
      )}
    </div>
  );
}

function Entry({ entry }: { entry: TranscriptEntry }) {
  switch (entry.kind) {
    case 'message':
      return <li class="message">{entry.text.trim()}</li>;
    case 'session':
      return (
        <li class="session muted small">{`Session ${entry.sessionId}${entry.model ? ` · ${entry.model}` : ''}`}</li>
      );
    case 'notice':
      return (
        <li class={`notice notice-${entry.tone}`}>
          <strong>{entry.tone === 'retry' ? 'Retry' : entry.tone === 'warning' ? 'Warning' : 'Cut'}</strong>
          {` ${entry.text}`}
        </li>
      );
    case 'unknown':
      return (
        <li class="unknown">
          <details>
            <summary class="muted small">{`${entry.lines.length} line${entry.lines.length === 1 ? '' : 's'} the adapter did not recognise`}</summary>
            <pre>{entry.lines.join('\n')}</pre>
          </details>
        </li>
      );
    case 'tool':
      return (
        <li class={`tool${entry.result?.isError ? ' tool-failed' : ''}`}>
          <div class="tool-call">
            <span class="tool-name">{entry.name}</span>
            <span class="tool-summary">{entry.summary}</span>
          </div>
          {entry.result ? (
            <details class="tool-result">
              <summary>
                <span class={entry.result.isError ? 'result-mark bad' : 'result-mark ok'} aria-hidden="true">
                  {entry.result.isError ? '✗' : '✓'}
                </span>
                <span class="sr-only">{entry.result.isError ? 'failed:' : 'result:'}</span>
                {` ${entry.result.summary}`}
              </summary>
              <pre>{entry.result.output}</pre>
            </details>
          ) : (
            <div class="tool-result muted small">running…</div>
          )}
        </li>
      );
  }
}

function useTranscript(
  api: ApiClient,
  runId: string,
  stepId: string,
  attempt: number,
  running: boolean,
  liveLength: number,
): { parts: TranscriptPart[]; problem: string | undefined } {
  const key = `${runId}/${stepId}/${attempt}`;
  // One reader per tab and attempt: a read asked for while one is under way runs after it, from its end.
  const reader = useRef({ key: '', parts: [] as TranscriptPart[], offset: 0, busy: false, again: false });
  const [, setVersion] = useState(0);
  const [problem, setProblem] = useState<string>();
  const base = `/api/runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(stepId)}/transcript`;
  // The read asked for while another was under way must be this render's: a read of an attempt the person
  // has left would otherwise run again for that old attempt and the chosen one would never be read.
  const latestRead = useRef<() => Promise<void>>(async () => undefined);
  const read = async (): Promise<void> => {
    const current = reader.current;
    if (current.key !== key) Object.assign(current, { key, parts: [], offset: 0, again: false });
    if (current.busy) {
      current.again = true;
      return;
    }
    current.busy = true;
    try {
      for (let page = 0; page < 20; page++) {
        const range = await api.get<TranscriptRange>(`${base}?attempt=${attempt}&offset=${current.offset}`);
        if (current.key !== key) return;
        const parts = [...current.parts, ...range.parts];
        current.parts = parts.length > maxParts ? parts.slice(-maxParts) : parts;
        const stalled = range.nextOffset === current.offset;
        current.offset = range.nextOffset;
        if (stalled || range.nextOffset >= range.size) break;
      }
      setProblem(undefined);
      setVersion((version) => version + 1);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      current.busy = false;
      if (current.again) {
        current.again = false;
        void latestRead.current();
      }
    }
  };
  latestRead.current = read;
  useEffect(() => {
    if (attempt >= 1) void read();
  }, [key, liveLength, running]);
  // The run may execute in another process: no live output reaches this tab, so read on every 2 s too.
  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(() => void read(), 2_000);
    return () => clearInterval(timer);
  }, [running, key]);
  return { parts: reader.current.key === key ? reader.current.parts : [], problem };
}
