/** Dollars in messages the engine writes (failures, reasons): `$0.042`, `$1.20`. */
export function formatBudgetUsd(usd: number): string {
  return `$${usd < 0.1 ? usd.toFixed(3) : usd.toFixed(2)}`;
}
