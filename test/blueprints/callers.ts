// A demo user signed in over REST, for the blueprint behaviour tests: calls as them with their token.
import { login, request } from '../helpers.js'

export interface Caller {
  token: string
  user: Record<string, any>
  get(path: string, query?: Record<string, unknown>): Promise<{ status: number; body: any }>
  post(path: string, body: unknown, method?: string): Promise<{ status: number; body: any }>
  patch(path: string, body: unknown): Promise<{ status: number; body: any }>
  remove(path: string): Promise<{ status: number; body: any }>
  /** A declared action over REST: `POST /<path>` with `X-Service-Method`. */
  action(path: string, method: string, body: unknown): Promise<{ status: number; body: any }>
}

export const toQueryString = (query: Record<string, unknown> = {}) => {
  const params = new URLSearchParams()
  const add = (key: string, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v)
    else if (Array.isArray(value)) value.forEach((v, i) => add(`${key}[${i}]`, v))
    else params.append(key, String(value))
  }
  for (const [key, value] of Object.entries(query)) add(key, value)
  const text = params.toString()
  return text ? `?${text}` : ''
}

export async function signIn(url: string, email: string, password: string): Promise<Caller> {
  const { accessToken: token, user } = await login(url, email, password)
  return {
    token,
    user,
    get: (path, query) => request(url, 'GET', `${path}${toQueryString(query)}`, { token }),
    post: (path, body) => request(url, 'POST', path, { token, body }),
    patch: (path, body) => request(url, 'PATCH', path, { token, body }),
    remove: (path) => request(url, 'DELETE', path, { token }),
    action: (path, method, body) => request(url, 'POST', path, { token, body, headers: { 'x-service-method': method } })
  }
}
