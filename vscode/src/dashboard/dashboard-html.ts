/**
 * The dashboard webview's page: the runs and their steps as the extension's model holds them, and a
 * button that opens the full dashboard in the browser. The full dashboard cannot be framed (the server
 * sends `frame-ancestors 'none'` and `X-Frame-Options: DENY`, which protect its approve button from
 * clickjacking), so it opens through a fresh one-time sign-in link instead. Strict CSP: one nonce'd
 * script, no remote content.
 */
import type { RunEntry } from '../runs/runs-model.js';
import { effectiveStatus } from '../runs/runs-model.js';

export function dashboardHtml(entries: readonly RunEntry[], nonce: string, cspSource: string): string {
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const runs = entries.length === 0 ? '<p>No runs yet.</p>' : entries.map(runSection).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AI Collab</title>
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { text-align: left; padding: 2px 8px; border-bottom: 1px solid var(--vscode-panel-border); }
.status { font-weight: 600; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: 0; padding: 4px 12px; cursor: pointer; }
</style></head>
<body>
<h1>AI Collab runs</h1>
<p><button id="open-full">Open the full dashboard in the browser</button></p>
${runs}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.getElementById('open-full').addEventListener('click', () => vscode.postMessage({ type: 'open-full' }));
</script>
</body></html>`;
}

function runSection(entry: RunEntry): string {
  const { summary, state } = entry;
  const status = effectiveStatus(entry);
  const steps = state
    ? state.order
        .map((id) => state.steps[id])
        .filter((step) => step !== undefined)
        .map(
          (step) =>
            `<tr><td>${escapeHtml(String(step.label))}</td><td>${escapeHtml(step.agent)}</td><td class="status">${escapeHtml(step.status)}</td><td>${step.attempts}</td><td>${escapeHtml(step.error?.message ?? '')}</td></tr>`,
        )
        .join('')
    : '';
  const table = steps
    ? `<table><thead><tr><th>step</th><th>agent</th><th>status</th><th>attempts</th><th>error</th></tr></thead><tbody>${steps}</tbody></table>`
    : `<p>${summary.stepCount} steps</p>`;
  return `<h2>${escapeHtml(summary.name)} <small>${escapeHtml(summary.runId)}</small> — <span class="status">${escapeHtml(status)}</span></h2>\n${table}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
