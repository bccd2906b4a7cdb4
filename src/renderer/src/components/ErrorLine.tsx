export function ErrorLine({ error, retry }: { error: string; retry?: () => void }) {
  return (
    <div className="error-line" role="alert">
      <span>{error}</span>
      {retry ? <button onClick={retry}>Retry</button> : null}
    </div>
  )
}
