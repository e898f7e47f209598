/** `notify:` in the configuration: where a person is told that a run needs them or has ended. */
import { z } from 'zod';
import { printableText } from '../plan/plan-schema.js';

export const notifySettingsSchema = z.strictObject({
  /** POSTed a JSON body with a Slack-compatible `text` field. Its path and query are treated as secrets. */
  webhook: z
    .url({ protocol: /^https?$/, error: 'a URL such as https://hooks.slack.com/services/…' })
    .max(4_096)
    .optional(),
  /** An argument vector, run without a shell; the notification comes as JSON on stdin and in variables. */
  command: z
    .array(printableText(z.string().min(1).max(4_096), 'a notify command argument'), {
      error: 'an argument vector such as ["notify-me", "--quiet"] (no shell: a list, not one string)',
    })
    .min(1, 'give the program to run first')
    .max(100)
    .optional(),
  /** A desktop notification (notify-send on Linux, osascript on macOS), where present. */
  desktop: z.boolean().optional(),
});

export type NotifySettings = z.output<typeof notifySettingsSchema>;
