/**
 * How a run's folder is named where the session browser must know it (the bottom layer). A blind
 * verification's run folders are `blind-<first 8 of the session id>`: never by the deck's number.
 */
export const blindFolderSession = (name: string) => /^blind-([0-9a-f]{8})$/.exec(name)?.[1]
