/** The process's notifier from `notify:` in the configuration, or none when nothing is configured. */
import type { NotifySettings } from '../../config/notify-settings.js';
import type { Clock } from '../../support/clock.js';
import type { Logger } from '../../support/logger.js';
import { Notifier } from './notifier.js';
import { channelsFrom } from './notify-channels.js';

export function openNotifier(
  settings: NotifySettings | undefined,
  deps: { clock: Clock; logger: Logger; environment: Readonly<Record<string, string | undefined>> },
): Notifier | undefined {
  if (!settings) return undefined;
  const { channels, secrets, unavailable } = channelsFrom(settings, deps.environment);
  for (const reason of unavailable) deps.logger.warn('a notifier cannot be used here', { reason });
  if (channels.length === 0) return undefined;
  return new Notifier({ channels, secrets, clock: deps.clock, logger: deps.logger, random: Math.random });
}
