/**
 * Model prices for costs estimated from tokens: the table is in src/shared/models.ts (one place for
 * every model), what a cost means in src/shared/numbers.ts. Unknown models cost 0 and `isPriced` says so.
 */
import { isPriced, messageCostUsd, type PricedUsage } from '../../shared/models'

export { isPriced }

/** The list-price cost of one API response (or of usage summed over responses of one model). */
export function costUsd(model: string, u: PricedUsage): number {
  return messageCostUsd(model, u)
}
