/**
 * Opens the view the window was sent to (src/shared/window-route.ts): once at start, for a window
 * made for it, and on `hashchange`, for one already open. The fragment is taken out of the address
 * at once, so a reload does not open the view again and the next request is a change again.
 */
import { useEffect, useRef } from 'react';
import { parseWindowRoute, type WindowRoute } from '../shared/window-route.js';

export function useWindowRoute(onRoute: (route: WindowRoute) => void): void {
  const ref = useRef(onRoute);
  ref.current = onRoute;
  useEffect(() => {
    const take = () => {
      const route = parseWindowRoute(window.location.hash);
      if (route === null) return;
      window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
      ref.current(route);
    };
    take();
    window.addEventListener('hashchange', take);
    return () => window.removeEventListener('hashchange', take);
  }, []);
}
