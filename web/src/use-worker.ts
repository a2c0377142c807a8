// A hook that asks the worker for something and asks again whenever the
// worker says what is shown may have changed.

import { useEffect, useState } from "preact/hooks";
import { onChange } from "./bridge";

export function useWorker<T>(ask: () => Promise<T>, deps: unknown[]): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const refresh = () => {
      ask().then(
        (v) => live && setValue(v),
        (e) => console.warn("linli:", e),
      );
    };
    refresh();
    const stop = onChange(refresh);
    return () => {
      live = false;
      stop();
    };
  }, deps);
  return value;
}
