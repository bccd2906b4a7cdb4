export function App() {
  return <div className="app">trace2skill</div>
}
