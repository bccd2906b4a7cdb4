/**
 * The renderer's data layer over `window.api`: TanStack Query, typed from the contract.
 *
 * - `useApi(name, input)`: one hook for every read; its key is the request's name and input, so
 *   views that show the same thing (the deck, the gallery and compare all show a batch's signals)
 *   share one entry and one request.
 * - `useApiMutation(name)`: every write; on success the cache is updated by `effects` (cache.ts).
 * - Pushed events update the cache (`connectEvents`, cache.ts), never a view's own copy.
 */
import {
  keepPreviousData,
  QueryClient,
  skipToken,
  useMutation,
  useQuery,
  useQueryClient,
  type UseMutationOptions,
  type UseQueryResult
} from '@tanstack/react-query'
import { useCallback } from 'react'
import type { Notice, RequestInput, RequestOutput } from '@shared/contract'
import { api } from '../api'
import { afterMutation } from './cache'
import { apiKey, eventKey, FRESH_FOR, type ReadName, type WriteName } from './keys'

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // an error is shown at once, with Retry; the app (and its window) is always "focused"
      queries: { retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false },
      mutations: { retry: false }
    }
  })
}

/** The options of a read (for useQuery, fetchQuery and prefetching alike). */
export function apiQuery<N extends ReadName>(name: N, input: RequestInput<N>) {
  return {
    queryKey: apiKey(name, input),
    queryFn: () => api()[name](input as never) as Promise<RequestOutput<N>>,
    staleTime: FRESH_FOR[name] ?? 0
  }
}

export interface UseApiOptions {
  /** false: wait (nothing is requested) */
  enabled?: boolean
  /** keep showing the previous input's answer while the new one loads */
  keepPrevious?: boolean
}

/** A read from the contract, cached by name and input; `input: null` waits. */
export function useApi<N extends ReadName>(
  name: N,
  input: RequestInput<N> | null,
  opts: UseApiOptions = {}
): UseQueryResult<RequestOutput<N>, Error> {
  const q = input === null ? null : apiQuery(name, input)
  return useQuery<RequestOutput<N>, Error, RequestOutput<N>, readonly unknown[]>({
    queryKey: q?.queryKey ?? [name, '(waiting)'],
    queryFn: q && opts.enabled !== false ? q.queryFn : skipToken,
    staleTime: q?.staleTime ?? 0,
    placeholderData: opts.keepPrevious ? keepPreviousData : undefined
  })
}

/** A write from the contract; the cache is brought up to date when it succeeds. */
export function useApiMutation<N extends WriteName>(
  name: N,
  opts: Omit<UseMutationOptions<RequestOutput<N>, Error, RequestInput<N>>, 'mutationFn'> = {}
) {
  const client = useQueryClient()
  return useMutation<RequestOutput<N>, Error, RequestInput<N>>({
    ...opts,
    mutationKey: [name],
    mutationFn: (input) => api()[name](input as never) as Promise<RequestOutput<N>>,
    onSuccess: (output, input, ...rest) => {
      afterMutation(client, name, input, output)
      return opts.onSuccess?.(output, input, ...rest)
    }
  })
}

/** A read done on demand (a button), through the cache: always asked again. */
export function useFetchApi() {
  const client = useQueryClient()
  return useCallback(
    <N extends ReadName>(name: N, input: RequestInput<N>) => client.fetchQuery({ ...apiQuery(name, input), staleTime: 0 }),
    [client]
  )
}

/** What pushed events said (index progress, notices), from the cache. */
export function useIndexProgress() {
  return useEventState(eventKey.indexProgress, null as import('@shared/contract').EventPayload<'indexProgress'> | null)
}
export function usePushedNotices() {
  return useEventState(eventKey.notices, [] as Notice[])
}

function useEventState<T>(queryKey: readonly unknown[], initial: T): T {
  const client = useQueryClient()
  const q = useQuery<T>({
    queryKey,
    queryFn: () => client.getQueryData<T>(queryKey) ?? initial,
    staleTime: Infinity,
    gcTime: Infinity,
    initialData: () => client.getQueryData<T>(queryKey) ?? initial
  })
  return q.data as T
}
