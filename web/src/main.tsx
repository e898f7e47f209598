import { render } from 'preact';
import { App, SignedOut } from './app.js';
import { ApiClient, ApiError } from './model/api-client.js';
import { DashboardStore } from './model/dashboard-store.js';
import { forgetToken, obtainToken } from './model/session.js';
import './styles.css';

async function start(root: HTMLElement): Promise<void> {
  const session = await obtainToken();
  if (!('token' in session)) {
    render(<SignedOut problem={session.problem} />, root);
    return;
  }
  // The token is checked while the dashboard starts, not before: the check and the stream's handshake
  // overlap instead of queueing one behind the other.
  const store = new DashboardStore(session.token);
  render(<App store={store} />, root);
  try {
    await new ApiClient(session.token).get('/api/health');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      // A restarted server has a new token: the one this tab kept is useless now.
      store.close();
      forgetToken();
      render(<SignedOut problem="the server restarted since this tab signed in" />, root);
    }
  }
}

const root = document.getElementById('app');
if (root) void start(root);
