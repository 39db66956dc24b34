/**
 * The engine's streaming endpoints (`/events`, `/containers/{id}/stats?stream=1`) send one JSON
 * object per line, split across chunks at arbitrary points. This reassembles them.
 */
export function jsonLines<T>(onValue: (value: T) => void, maxPartial: number): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    // A line that never ends is not the engine's: drop it rather than grow without bound.
    if (partial.length > maxPartial) partial = '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      let value: T;
      try {
        value = JSON.parse(line) as T;
      } catch {
        continue;
      }
      onValue(value);
    }
  };
}
