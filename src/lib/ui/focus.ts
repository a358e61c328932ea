/** Keeps Tab inside a modal region (the chat drawer on phones): past the last control it wraps to the first. */
const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

export function trapFocus(e: KeyboardEvent, region: HTMLElement): void {
  if (e.key !== 'Tab') return;
  // checkVisibility also leaves out what sits in a closed <details> (laid out, but skipped as content-visibility: hidden).
  const items = [...region.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) =>
    typeof el.checkVisibility === 'function' ? el.checkVisibility() : el.getClientRects().length > 0,
  );
  if (items.length === 0) return;
  const first = items[0];
  const last = items[items.length - 1];
  const active = document.activeElement;
  if (e.shiftKey && (active === first || !region.contains(active))) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (active === last || !region.contains(active))) {
    e.preventDefault();
    first.focus();
  }
}
