/** Opens a URL in the user's browser (`--open`), without a shell and without waiting for the browser. */
import { spawn } from 'node:child_process';

export function openInBrowser(url: string, environment: NodeJS.ProcessEnv): Promise<void> {
  const [command, args]: [string, string[]] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : [environment.BROWSER ?? 'xdg-open', [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, env: environment });
    child.once('error', (error) =>
      reject(new Error(`could not open a browser with ${command}: ${error.message}; open the link yourself`)),
    );
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
