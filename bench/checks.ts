// A bench that measured the wrong thing must not print a figure: a phase in which the system said
// no (a 401 from a token it does not accept, say) still "completes" in autocannon, and its
// averages and ratios come out as confident numbers, or as NaN.

/** Throws unless every request of a measured phase got a 2xx answer. */
export function requireAllSucceeded(phase: string, load: { requests: { total: number }; non2xx: number; errors: number; timeouts: number }): void {
  const failed = load.non2xx + load.errors + load.timeouts;
  if (load.requests.total === 0 || failed > 0) {
    throw new Error(
      `${phase}: ${failed} of ${load.requests.total} requests failed (${load.non2xx} non-2xx, ${load.errors} errors, ${load.timeouts} timeouts); its figures would mean nothing`,
    );
  }
}

/** Throws, naming the first offender, unless every number in `figures` (at any depth) is finite. */
export function requireFinite(figures: unknown, path = 'results'): void {
  if (typeof figures === 'number') {
    if (!Number.isFinite(figures)) throw new Error(`${path} is ${figures}: the bench measured nothing there`);
  } else if (figures && typeof figures === 'object') {
    for (const [key, value] of Object.entries(figures)) requireFinite(value, `${path}.${key}`);
  }
}
