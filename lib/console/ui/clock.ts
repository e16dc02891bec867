/** One clock for every countdown on the page: a lease or a bake ticks locally, not by refetching. */
import { useEffect, useState } from 'preact/hooks';

const subscribers = new Set<(now: number) => void>();
let timer: ReturnType<typeof setInterval> | undefined;

export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    subscribers.add(setNow);
    timer ??= setInterval(() => {
      const tick = Date.now();
      for (const subscriber of subscribers) subscriber(tick);
    }, 1000);
    return () => {
      subscribers.delete(setNow);
      if (subscribers.size === 0) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  }, []);
  return now;
}
