const KEYS: [string, string][] = [
  ['?', 'show or hide this help'],
  ['/', 'search all session text (session list)'],
  ['↑ ↓', 'move through sessions'],
  ['Enter', 'open the selected session'],
  ['Esc', 'clear the search, close this help'],
  ['e', 'jump to the next error (trace)'],
  ['Backspace', 'back to the session list (trace)'],
  ['g / b', 'grade good / bad, then type the sentence (review deck)'],
  ['Enter', 'save the sentence, go to the next ungraded run (review deck)'],
  ['j / k', 'next / previous run (review deck)'],
  ['d / m', 'desktop / mobile screenshots (review deck)'],
  ['c', 'compare with a run graded the other way (review deck)']
]

export function Help({ onClose }: { onClose: () => void }) {
  return (
    <div className="overlay" role="dialog" aria-label="Keyboard shortcuts" onClick={onClose}>
      <div className="help" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {KEYS.map(([k, d]) => (
              <tr key={k + d}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{d}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button onClick={onClose}>Close</button>
      </div>
    </div>
  )
}
