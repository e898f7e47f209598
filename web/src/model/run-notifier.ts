/**
 * Browser notifications for the moments a person waits for: a plan needs approval, a run ended. Asked
 * for only when the person presses the button (never on load); runs listed when the page opened are not
 * announced, only changes seen while it is open. The choice is kept per browser.
 */
import type { RunSummary } from '../../../src/server/stream/stream-protocol.js';

export type NotifyState = 'unsupported' | 'off' | 'on' | 'blocked';

/** Set when the person turned notifications on here: a permission granted to the origin alone is not enough. */
const enabledKey = 'ai-collab.notifications';
const ended = new Set(['succeeded', 'failed', 'cancelled']);

export class RunNotifier {
  /** Called when a notification is clicked, with its run. */
  onOpen: (runId: string) => void = () => {};

  get state(): NotifyState {
    if (typeof Notification === 'undefined') return 'unsupported';
    if (Notification.permission === 'denied') return 'blocked';
    if (Notification.permission === 'granted' && localStorage.getItem(enabledKey) === 'on') return 'on';
    return 'off';
  }

  /** The button: asks for permission the first time, then turns notifications on and off. */
  async toggle(): Promise<NotifyState> {
    if (typeof Notification === 'undefined') return 'unsupported';
    if (this.state === 'on') {
      localStorage.removeItem(enabledKey);
      return this.state;
    }
    if (Notification.permission === 'default') await Notification.requestPermission();
    if (Notification.permission === 'granted') localStorage.setItem(enabledKey, 'on');
    return this.state;
  }

  /** A run changed: tells the person if it now waits for them or has ended. */
  changed(previous: RunSummary | undefined, next: RunSummary): void {
    if (this.state !== 'on' || previous?.status === next.status) return;
    let title: string | undefined;
    if (next.status === 'awaiting_approval') title = `Plan "${next.name}" waits for your approval`;
    // A run first seen already ended ended before this page looked: nothing to announce.
    else if (previous && ended.has(next.status)) title = `Run "${next.name}" ${next.status}`;
    if (!title) return;
    const done = next.counts?.succeeded;
    const notification = new Notification(title, {
      body: done === undefined ? `${next.stepCount} steps` : `${done} of ${next.stepCount} steps succeeded`,
      tag: `ai-collab-${next.runId}`,
    });
    notification.onclick = () => {
      window.focus();
      this.onOpen(next.runId);
      notification.close();
    };
  }
}
