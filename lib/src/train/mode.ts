/** Quick mode (`GENBOOK_QUICK=1`): training cells use their small budgets; the tests set it. */
export function quickModeEnv(env: Record<string, string | undefined> = process.env): boolean {
  const v = (env.GENBOOK_QUICK ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false' && v !== 'no';
}

/** Pick the quick or the full budget: `budget({ quick: 50, full: 5000 })`. */
export function budget<T>(values: { quick: T; full: T }, env: Record<string, string | undefined> = process.env): T {
  return quickModeEnv(env) ? values.quick : values.full;
}
