/** Pages by hash route (`#/rollouts`, `#/executions/<arn>`), so a reload keeps the page. */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  readonly page: string;
  readonly rest: readonly string[];
  readonly query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [page = 'overview', ...rest] = path.split('/').map(decodeURIComponent);
  return { page: page || 'overview', rest, query: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', follow);
    // A hash that changed between the first render and this effect (which runs after the paint)
    // fired its hashchange before anyone listened: catch up with it.
    follow();
    return () => removeEventListener('hashchange', follow);
  }, []);
  return route;
}

export const hrefTo = (page: string, rest: readonly string[] = [], query: Record<string, string> = {}) => {
  const search = new URLSearchParams(query).toString();
  return `#/${[page, ...rest].map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
};
