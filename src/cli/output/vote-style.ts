/** A reviewer's vote as a colored, fixed-width word, so the reviewer names after it line up. */
import type { Colors } from 'picocolors/types.js';

export function voteMark(vote: 'approve' | 'reject' | 'abstain', colors: Colors): string {
  if (vote === 'approve') return colors.green('approve');
  return vote === 'reject' ? colors.red('reject ') : colors.dim('abstain');
}
