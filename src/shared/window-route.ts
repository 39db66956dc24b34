/**
 * Views the window can be opened at from outside the page (the tray), named in the URL fragment:
 * `app://runner-tray/index.html#add-from-clipboard`, `#pools`. The fragment says only which view; what the
 * view shows (the clipboard's redacted preview) the page asks the services for itself, so no data
 * rides in a URL.
 */
export const WINDOW_ROUTES = ['add-from-clipboard', 'pools'] as const;
/** The tray's "Move to cluster…" of one runner: its dialog needs a form. The UUID goes without braces (a fragment would escape them). */
export type MoveToClusterRoute = `move-to-cluster/${string}`;
export type WindowRoute = (typeof WINDOW_ROUTES)[number] | MoveToClusterRoute;

const MOVE_ROUTE = /^move-to-cluster\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function moveToClusterRoute(runnerUuid: string): MoveToClusterRoute {
  return `move-to-cluster/${runnerUuid.replace(/[{}]/g, '').toLowerCase()}`;
}

/** The runner (braced, as everywhere else) a move route names, or null for any other route. */
export function moveRouteRunner(route: WindowRoute): string | null {
  const m = MOVE_ROUTE.exec(route);
  return m ? `{${m[1]}}` : null;
}

export function windowRouteHash(route: WindowRoute): string {
  return `#${route}`;
}

/** The route a fragment names, or null (no fragment, or someone else's, like the dashboard's `#token=`). */
export function parseWindowRoute(hash: string): WindowRoute | null {
  const name = hash.startsWith('#') ? hash.slice(1) : hash;
  if (MOVE_ROUTE.test(name)) return name as MoveToClusterRoute;
  return (WINDOW_ROUTES as readonly string[]).includes(name) ? (name as WindowRoute) : null;
}
