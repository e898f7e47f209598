/** A step's diff from the server's diff route: added and removed lines marked, or why there is none. */
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../model/api-client.js';

/** `base` is the step's API path (`/api/runs/<run>/steps/<step>`); the diff is fetched once it is shown. */
export function DiffView({ api, base }: { api: ApiClient; base: string }) {
  const [diff, setDiff] = useState<{
    available: boolean;
    diff?: string;
    files?: string[];
    reason?: string;
  }>();
  useEffect(() => {
    api
      .get<typeof diff>(`${base}/diff`)
      .then(setDiff)
      .catch((error: unknown) => setDiff({ available: false, reason: String(error) }));
  }, [base]);
  if (!diff) return <p class="muted">Loading…</p>;
  if (!diff.available) {
    return (
      <div>
        <p class="muted">{diff.reason}</p>
        {diff.files && (
          <ul>
            {diff.files.map((file) => (
              <li key={file}>{file}</li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return (
    <pre class="diff">
      {(diff.diff ?? '').split('\n').map((line, index) => (
        <span key={index} class={line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : ''}>
          {`${line}\n`}
        </span>
      ))}
    </pre>
  );
}
