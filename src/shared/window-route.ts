/**
 * Views the window can be opened at from outside the page (the tray), named in the URL fragment:
 * `app://runner-tray/index.html#add-from-clipboard`, `#pools`. The fragment says only which view; what the
 * view shows (the clipboard's redacted preview) the page asks the services for itself, so no data
 * rides in a URL.
 */
export const WINDOW_ROUTES = ['add-from-clipboard', 'pools'] as const;
export type WindowRoute = (typeof WINDOW_ROUTES)[number];

export function windowRouteHash(route: WindowRoute): string {
  return `#${route}`;
}

/** The route a fragment names, or null (no fragment, or someone else's, like the dashboard's `#token=`). */
export function parseWindowRoute(hash: string): WindowRoute | null {
  const name = hash.startsWith('#') ? hash.slice(1) : hash;
  return (WINDOW_ROUTES as readonly string[]).includes(name) ? (name as WindowRoute) : null;
}
