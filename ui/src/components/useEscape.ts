import { useEffect } from "react";

/**
 * Calls `onEscape` when Escape is pressed anywhere in the window, while `enabled`. A dialog
 * shown `above` another one takes the Escape first and keeps it from the one below.
 */
export function useEscape(onEscape: () => void, enabled = true, { above = false }: { above?: boolean } = {}) {
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      if (above) e.stopImmediatePropagation();
      onEscape();
    };
    // The capture phase runs before the other dialogs' listeners, which listen as the key
    // bubbles up.
    window.addEventListener("keydown", onKey, above);
    return () => window.removeEventListener("keydown", onKey, above);
  }, [onEscape, enabled, above]);
}
