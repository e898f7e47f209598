import { after } from 'node:test';
import { type GitEndpoint, startGitEndpoint } from '../../src/distributed/git-endpoint.js';
import { openGitExchange } from '../../src/distributed/git-exchange.js';
import { createGitRunner } from '../../src/workspace/git-runner.js';
import { tempDir } from '../support/temp-dir.js';
import { git, gitRepo } from './workspace-support.js';

// A coordinator's git side for tests: a workspace repository, its exchange repository and the endpoint
// serving it on a free loopback port (closed after the file's tests).

const endpoints: GitEndpoint[] = [];
after(async () => {
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
});

export async function serveExchange(files: Record<string, string> = { 'README.md': 'served\n' }) {
  const repo = gitRepo(files);
  const head = git(repo, 'rev-parse', 'HEAD').trim();
  const exchange = await openGitExchange(createGitRunner({ environment: process.env }), {
    workspace: repo,
    stateDir: tempDir('ai-collab-state-'),
  });
  const endpoint = await startGitEndpoint({
    repository: exchange.repository,
    host: '127.0.0.1',
    port: 0,
    environment: process.env,
  });
  endpoints.push(endpoint);
  return { repo, head, endpoint, exchange };
}
