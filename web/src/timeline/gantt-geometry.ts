/** The Gantt chart's fixed sizes, shared by its rows, its time window and its body. */

export const rowHeight = 26;
/** The width of the step names before the time track starts. */
export const labelWidth = 208;

/** The DOM id of a drawn row, for the list box's aria-activedescendant. */
export function rowDomId(index: number): string {
  return `gantt-row-${index}`;
}
