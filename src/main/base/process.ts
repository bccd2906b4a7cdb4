/** Process facts every layer may ask (the bottom layer: it imports nothing of ours). Electron-free. */

/** Is a process with this pid alive (EPERM: alive, another user's)? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
