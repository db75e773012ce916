// The bare-Temporal ceiling: activities that do nothing, so only Temporal's own work is measured.
export function first(): Promise<void> {
  return Promise.resolve();
}

export function second(): Promise<void> {
  return Promise.resolve();
}
