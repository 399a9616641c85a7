// How numbers read in the status bar and its tooltip: en-US grouping whatever the locale, so
// the figures match the CLI's and the documentation's.

const numberFormat = new Intl.NumberFormat("en-US");

export function formatCount(value: number): string {
  return numberFormat.format(value);
}

/** `≈` marks a count from a tokenizer that only approximates the model's. */
export function formatTokens(tokens: number, exact: boolean): string {
  return `${exact ? "" : "≈"}${formatCount(tokens)}`;
}

/** Cents matter for a call, not for a large monthly bill; fractions of a cent keep 2 figures. */
export function formatUsd(amount: number): string {
  if (amount >= 100) return `$${formatCount(Math.round(amount))}`;
  if (amount >= 1) return `$${amount.toFixed(2)}`;
  if (amount >= 0.0001) return `$${amount.toFixed(4)}`;
  return `$${amount.toPrecision(2)}`;
}
