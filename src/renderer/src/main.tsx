import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { ensureApi } from './api'
import { BadView, Boundary } from './components/Boundary'
import './styles.css'

ensureApi()
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Boundary fallback={(error) => <BadView error={error} />}>
      <App />
    </Boundary>
  </StrictMode>
)
