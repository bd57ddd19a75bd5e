import { useEffect, useRef, useState } from "react";

export type MenuItem =
  | { id: string; label: string; onSelect: () => void; disabled?: boolean; title?: string }
  | { separator: true; id: string };

/**
 * A menu button: opens on click, Enter, Space or ArrowDown (focus on the first entry); ArrowUp,
 * ArrowDown, Home and End move between entries; Escape closes it (focus back on the button), so
 * does a click outside or Tab away.
 */
export function MoreMenu({ items, label = "More", testId = "more-menu", title }: { items: MenuItem[]; label?: string; testId?: string; title?: string }) {
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);

  const entries = () => Array.from(list.current?.querySelectorAll<HTMLButtonElement>("[role=menuitem]:not(:disabled)") ?? []);
  const focusEntry = (which: "first" | "last" | 1 | -1) => {
    const all = entries();
    if (all.length === 0) return;
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    const i = which === "first" ? 0 : which === "last" ? all.length - 1 : at < 0 ? 0 : (at + which + all.length) % all.length;
    all[i].focus();
  };
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    focusEntry("first");
    const onDown = (e: MouseEvent) => {
      if (wrap.current && !wrap.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        close(true);
      }
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  const onMenuKey = (e: React.KeyboardEvent) => {
    const moves: Record<string, "first" | "last" | 1 | -1> = { ArrowDown: 1, ArrowUp: -1, Home: "first", End: "last" };
    if (e.key in moves) {
      e.preventDefault();
      focusEntry(moves[e.key]);
    }
  };

  return (
    <div
      className="menu-wrap"
      ref={wrap}
      onBlur={(e) => {
        // Tab away closes the menu; a click elsewhere is handled by the mousedown listener.
        if (open && e.relatedTarget instanceof Node && !wrap.current?.contains(e.relatedTarget)) setOpen(false);
      }}
    >
      <button
        ref={button}
        data-testid={testId}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={`${testId}-list`}
        title={title}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        {label} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div className="menu" role="menu" id={`${testId}-list`} ref={list} onKeyDown={onMenuKey} aria-label={label}>
          {items.map((item) =>
            "separator" in item ? (
              <div key={item.id} role="separator" className="menu-sep" />
            ) : (
              <button
                key={item.id}
                role="menuitem"
                data-testid={item.id}
                disabled={item.disabled}
                title={item.title}
                onClick={() => {
                  close(true);
                  item.onSelect();
                }}
              >
                {item.label}
              </button>
            ),
          )}
        </div>
      )}
    </div>
  );
}
