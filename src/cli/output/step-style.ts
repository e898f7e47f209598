/** How each step status looks in a terminal: one glyph and one colour, shared by every view. */
import type { Colors } from 'picocolors/types.js';
import type { StepStatus } from '../../engine/run-state.js';

const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function statusGlyph(status: StepStatus, colors: Colors, frame = 0): string {
  switch (status) {
    case 'succeeded':
      return colors.green('✔');
    case 'failed':
      return colors.red('✖');
    case 'blocked':
      return colors.yellow('⊘');
    case 'cancelled':
      return colors.gray('−');
    case 'interrupted':
      return colors.yellow('⏸');
    case 'retrying':
      return colors.yellow('↻');
    case 'running':
    case 'reviewing':
    case 'merging':
      return colors.cyan(spinnerFrames[frame % spinnerFrames.length] as string);
    case 'conflicted':
      return colors.red('⚠');
    case 'ready':
      return colors.blue('○');
    case 'pending':
      return colors.gray('·');
  }
}

export function colorStatus(status: string, colors: Colors): string {
  switch (status) {
    case 'succeeded':
      return colors.green(status);
    case 'failed':
    case 'conflicted':
      return colors.red(status);
    case 'blocked':
    case 'retrying':
    case 'interrupted':
    case 'paused':
      return colors.yellow(status);
    case 'running':
      return colors.cyan(status);
    default:
      return colors.gray(status);
  }
}
