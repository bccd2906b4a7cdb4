/** Whether an error is one of ours with this code (a model's answer that did not fit, a bad input...). */
export const isAppError = (err: unknown, code: string): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code
