/**
 * The channels a notification goes out on: a webhook (JSON with a Slack-compatible `text`), a command
 * (an argument vector, no shell; the notification as JSON on stdin and in variables), the desktop
 * (notify-send, osascript). Each `send` throws when the notification did not get through, so the
 * notifier can retry it.
 */
import { spawn } from 'node:child_process';
import { baseEnvironmentPolicy, buildChildEnvironment } from '../../agents/process/child-environment.js';
import { findExecutable } from '../../config/find-executable.js';
import type { NotifySettings } from '../../config/notify-settings.js';
import type { Notification } from './notification.js';
import type { NotifyChannel } from './notifier.js';

/** A channel gets this long per try. */
const sendTimeoutMs = 15_000;

export function webhookChannel(url: string): NotifyChannel {
  const host = new URL(url).host;
  return {
    name: `webhook ${host}`,
    async send(notification, signal) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(notification),
        redirect: 'error',
        signal: AbortSignal.any([signal, AbortSignal.timeout(sendTimeoutMs)]),
      });
      // The body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`the webhook at ${host} answered HTTP ${response.status}`);
    },
  };
}

export function commandChannel(
  argv: readonly string[],
  source: Readonly<Record<string, string | undefined>>,
): NotifyChannel {
  const [program = '', ...args] = argv;
  return {
    name: `command ${program}`,
    send: (notification, signal) =>
      runArgv(program, args, {
        stdin: `${JSON.stringify(notification)}\n`,
        env: buildChildEnvironment(source, baseEnvironmentPolicy, notificationVariables(notification)),
        signal,
      }),
  };
}

/** The desktop's own notifier, or undefined (with the reason) where there is none. */
export function desktopChannel(
  source: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): NotifyChannel | { unavailable: string } {
  const env = buildChildEnvironment(source, {
    names: [
      ...baseEnvironmentPolicy.names,
      'DISPLAY',
      'WAYLAND_DISPLAY',
      'DBUS_SESSION_BUS_ADDRESS',
      'XDG_RUNTIME_DIR',
    ],
    prefixes: baseEnvironmentPolicy.prefixes,
  });
  if (platform === 'darwin') {
    const osascript = findExecutable('osascript', source.PATH);
    if (!osascript) return { unavailable: 'osascript is not on PATH' };
    // The text is an argument of the script, never part of it: nothing in it can run.
    const script = ['on run argv', 'display notification (item 1 of argv) with title "ai-collab"', 'end run'];
    return {
      name: 'desktop osascript',
      send: (notification, signal) =>
        runArgv(osascript, [...script.flatMap((line) => ['-e', line]), notification.text], { env, signal }),
    };
  }
  const notifySend = findExecutable('notify-send', source.PATH);
  if (!notifySend) return { unavailable: 'notify-send is not on PATH (install libnotify-bin)' };
  return {
    name: 'desktop notify-send',
    send: (notification, signal) =>
      runArgv(notifySend, ['--app-name=ai-collab', '--', 'ai-collab', notification.text], { env, signal }),
  };
}

/** The configured channels, and why any asked for cannot be used here. */
export function channelsFrom(
  settings: NotifySettings | undefined,
  source: Readonly<Record<string, string | undefined>>,
): { channels: NotifyChannel[]; secrets: string[]; unavailable: string[] } {
  const channels: NotifyChannel[] = [];
  const secrets: string[] = [];
  const unavailable: string[] = [];
  if (settings?.webhook !== undefined) {
    channels.push(webhookChannel(settings.webhook));
    const url = new URL(settings.webhook);
    secrets.push(settings.webhook, url.pathname, url.search, url.password);
  }
  if (settings?.command !== undefined) channels.push(commandChannel(settings.command, source));
  if (settings?.desktop === true) {
    const desktop = desktopChannel(source);
    if ('unavailable' in desktop) unavailable.push(`notify.desktop: ${desktop.unavailable}`);
    else channels.push(desktop);
  }
  return { channels, secrets: secrets.filter((secret) => secret.length > 1), unavailable };
}

function notificationVariables(notification: Notification): Record<string, string> {
  return {
    AI_COLLAB_NOTIFY_KIND: notification.kind,
    AI_COLLAB_NOTIFY_TEXT: notification.text,
    AI_COLLAB_RUN_ID: notification.runId,
    ...(notification.stepId !== undefined && { AI_COLLAB_STEP_ID: notification.stepId }),
    ...(notification.status !== undefined && { AI_COLLAB_RUN_STATUS: notification.status }),
  };
}

/** Runs a program (no shell) to its end; throws unless it exits 0 within the time a send gets. */
function runArgv(
  program: string,
  args: readonly string[],
  options: { stdin?: string; env: Record<string, string>; signal: AbortSignal },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      env: options.env,
      stdio: ['pipe', 'ignore', 'pipe'],
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(sendTimeoutMs)]),
      killSignal: 'SIGKILL',
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = `${stderr}${chunk}`.slice(-1_000);
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.stdin ?? '');
    child.once('error', (error) => reject(error));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else {
        const said = stderr.trim().split('\n').pop() ?? '';
        reject(
          new Error(
            `${program} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${said ? `: ${said}` : ''}`,
          ),
        );
      }
    });
  });
}
