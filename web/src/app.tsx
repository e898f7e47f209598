/** The dashboard shell: connection state, navigation (hash routes), and the current view. */
import { useEffect, useState } from 'preact/hooks';
import type { DashboardStore } from './model/dashboard-store.js';
import { useObservable } from './model/observable.js';
import { MetricsView } from './views/metrics-view.js';
import { RunView } from './views/run-view.js';
import { RunsList } from './views/runs-list.js';

type Route = { view: 'runs' } | { view: 'run'; runId: string } | { view: 'metrics' };

function parseRoute(hash: string): Route {
  const run = /^#\/runs\/([^/]+)$/.exec(hash);
  if (run?.[1]) return { view: 'run', runId: decodeURIComponent(run[1]) };
  if (hash === '#/metrics') return { view: 'metrics' };
  return { view: 'runs' };
}

export function App({ store }: { store: DashboardStore }) {
  useObservable(store);
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return (
    <div class="app">
      <nav class="top">
        <a href="#/" class="brand">
          ai-collab
        </a>
        <a href="#/">Runs</a>
        <a href="#/metrics">Metrics</a>
        <span class={`connection connection-${store.connection}`} data-testid="connection">
          {store.connection === 'open' ? 'live' : store.connection}
        </span>
      </nav>
      <main>
        {route.view === 'runs' && <RunsList runs={store.runs} />}
        {route.view === 'run' && <RunView key={route.runId} store={store} runId={route.runId} />}
        {route.view === 'metrics' && <MetricsView store={store} />}
      </main>
    </div>
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
