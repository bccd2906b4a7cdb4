/** Step 2: grade what each run produced (the deck, its state in useReviewDeck; the gallery), and what compare shares of it. */
export { ReviewDeck } from './ReviewDeck'
export { Gallery } from './Gallery'
export { firstShot, MetricsLine, RunTrouble, ShotImage, useBlind, useShot, verificationOf } from './runs'
export { SignalsPanel } from './SignalsPanel'
