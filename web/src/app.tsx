/** The dashboard shell: connection state, navigation (hash routes), and the current view. */
import { useEffect, useState } from 'preact/hooks';
import type { DashboardStore } from './model/dashboard-store.js';
import { useObservable } from './model/observable.js';
import { MetricsView } from './views/metrics-view.js';
import { RunView } from './views/run-view.js';
import { RunsList } from './views/runs-list.js';
import { WorkersView } from './views/workers-view.js';

type Route = { view: 'runs' } | { view: 'run'; runId: string } | { view: 'metrics' } | { view: 'workers' };

function parseRoute(hash: string): Route {
  const run = /^#\/runs\/([^/]+)$/.exec(hash);
  if (run?.[1]) return { view: 'run', runId: decodeURIComponent(run[1]) };
  if (hash === '#/metrics') return { view: 'metrics' };
  if (hash === '#/workers') return { view: 'workers' };
  return { view: 'runs' };
}

export function App({ store }: { store: DashboardStore }) {
  useObservable(store);
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    store.notifier.onOpen = (runId) => {
      location.hash = `#/runs/${encodeURIComponent(runId)}`;
    };
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return (
    <div class="app">
      <nav class="top" aria-label="main">
        <a href="#/" class="brand">
          ai-collab
        </a>
        <a href="#/" aria-current={route.view === 'runs' || route.view === 'run' ? 'page' : undefined}>
          Runs
        </a>
        <a href="#/metrics" aria-current={route.view === 'metrics' ? 'page' : undefined}>
          Metrics
        </a>
        <a href="#/workers" aria-current={route.view === 'workers' ? 'page' : undefined}>
          Workers
        </a>
        <span class="top-right">
          <NotifyButton store={store} />
          <span class={`connection connection-${store.connection}`} data-testid="connection">
            {store.connection === 'open' ? 'live' : store.connection}
          </span>
        </span>
      </nav>
      <main>
        {route.view === 'runs' && <RunsList runs={store.runs} />}
        {route.view === 'run' && <RunView key={route.runId} store={store} runId={route.runId} />}
        {route.view === 'metrics' && <MetricsView store={store} />}
        {route.view === 'workers' && <WorkersView api={store.api} />}
      </main>
    </div>
  );
}

function NotifyButton({ store }: { store: DashboardStore }) {
  const [state, setState] = useState(store.notifier.state);
  if (state === 'unsupported') return null;
  const labels = {
    off: 'Notify me',
    on: 'Notifications on',
    blocked: 'Notifications blocked',
  } as const;
  return (
    <button
      type="button"
      class="notify"
      aria-pressed={state === 'on'}
      disabled={state === 'blocked'}
      title={
        state === 'blocked'
          ? "This browser blocks this site's notifications; allow them in the site settings."
          : 'A browser notification when a plan waits for approval or a run ends'
      }
      onClick={() => void store.notifier.toggle().then(setState)}
    >
      {labels[state]}
    </button>
  );
}

export function SignedOut({ problem }: { problem: string }) {
  return (
    <div class="signed-out">
      <h1>ai-collab</h1>
      <p>{`You are not signed in to this dashboard (${problem}).`}</p>
      <p>
        Run <code>ai-collab dashboard</code> in the workspace: it opens a one-time sign-in link. The server's
        token is never put in a URL.
      </p>
    </div>
  );
}
