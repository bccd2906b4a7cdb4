import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { RouterProvider } from '@tanstack/react-router'
import { Providers } from './App'
import { api, ensureApi } from './api'
import { BadView, Boundary } from './components/Boundary'
import { connectEvents } from './data/cache'
import { createQueryClient } from './data/queries'
import { createAppRouter } from './routes'
import './styles.css'

ensureApi()
const client = createQueryClient()
// pushed events update the cache from the start, whatever view is open
connectEvents(client, api())
const router = createAppRouter()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Boundary fallback={(error) => <BadView error={error} />}>
      <Providers client={client}>
        <RouterProvider router={router} />
      </Providers>
    </Boundary>
  </StrictMode>
)
