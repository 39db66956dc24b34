/** `/a/b/` → `/a/b`; `/` stays. */
export const trimSlash = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, '') : p);

/** `path` is `dir` or below it. */
export function within(path: string, dir: string): boolean {
  const p = trimSlash(path);
  const d = trimSlash(dir);
  return p === d || p.startsWith(d === '/' ? '/' : `${d}/`);
}
