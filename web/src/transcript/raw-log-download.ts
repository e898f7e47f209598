/** Saves an attempt's whole raw log as a file: read in ranges with the token, then handed over as a blob. */
import type { ApiClient } from '../model/api-client.js';

interface OutputRange {
  nextOffset: number;
  size: number;
  text: string;
}

/** Stops after this much: the agent's log is capped on disk too. */
const maxDownloadBytes = 64 * 1024 * 1024;

export async function downloadRawLog(
  api: ApiClient,
  runId: string,
  stepId: string,
  attempt: number,
): Promise<string> {
  const base = `/api/runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(stepId)}/output`;
  const pieces: string[] = [];
  let offset = 0;
  for (;;) {
    const range = await api.get<OutputRange>(`${base}?attempt=${attempt}&offset=${offset}&length=262144`);
    pieces.push(range.text);
    if (
      range.nextOffset <= offset ||
      range.nextOffset >= range.size ||
      range.nextOffset >= maxDownloadBytes
    ) {
      offset = range.nextOffset;
      break;
    }
    offset = range.nextOffset;
  }
  const url = URL.createObjectURL(new Blob(pieces, { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${runId}-${stepId}-attempt-${attempt}.log`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return `Saved ${link.download} (${offset.toLocaleString()} bytes).`;
}
