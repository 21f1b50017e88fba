/**
 * Windowing for a long list in its own scroll box: only the rows in view
 * (plus `overscan` on each side) are in the DOM, the rest is padding of the
 * right height. Rows are measured as they render (heights vary), keyed by
 * id so a measured height follows its row through filtering. A thin runes
 * face over @tanstack/virtual-core (re-exported by @tanstack/svelte-virtual).
 */
import { untrack } from "svelte";
import { elementScroll, observeElementOffset, Virtualizer, type VirtualItem } from "@tanstack/svelte-virtual";

export interface VirtualRowsOptions {
  /** A row's height before it is measured. */
  readonly estimateRowPx: number;
  /** The CSS gap between rows. */
  readonly gapPx: number;
  /** Rows rendered beyond each edge of the view: Tab from the last rendered row finds the next one already there. */
  readonly overscan: number;
  /** The scroll box's height assumed for the first render, before it is measured. */
  readonly initialViewPx: number;
}

export class VirtualRows {
  /** Bumped whenever the window changes, so readers re-run. */
  #version = $state(0);
  #scrollBox: HTMLElement | null = null;
  #keys: readonly string[] = [];
  readonly #virtualizer: Virtualizer<HTMLElement, HTMLElement>;

  constructor(options: VirtualRowsOptions) {
    this.#virtualizer = new Virtualizer<HTMLElement, HTMLElement>({
      count: 0,
      getScrollElement: () => this.#scrollBox,
      estimateSize: () => options.estimateRowPx,
      getItemKey: (index) => this.#keys[index] ?? index,
      gap: options.gapPx,
      overscan: options.overscan,
      initialRect: { width: 0, height: options.initialViewPx },
      observeElementRect: observeBoxSize,
      observeElementOffset,
      measureElement: measuredSize,
      scrollToFn: scrollUnlessAtTop,
      onChange: () => untrack(() => this.#version++),
    });
  }

  /** Call with the list's row keys, in order, whenever they change (from an effect: it does not track what it reads). */
  setKeys(keys: readonly string[]): void {
    this.#keys = keys;
    this.#virtualizer.setOptions({ ...this.#virtualizer.options, count: keys.length });
    this.#virtualizer._willUpdate();
    untrack(() => this.#version++);
  }

  /** Binds the scroll box; the returned function unbinds it. */
  attach(scrollBox: HTMLElement): () => void {
    this.#scrollBox = scrollBox;
    this.#virtualizer._willUpdate();
    return () => {
      this.#scrollBox = null;
      this.#virtualizer._willUpdate();
    };
  }

  /** Measures a rendered row (it carries `data-index`) and keeps watching its size. */
  measure(row: HTMLElement): void {
    this.#virtualizer.measureElement(row);
  }

  /** The rows to render now. */
  get items(): VirtualItem[] {
    void this.#version;
    return this.#virtualizer.getVirtualItems();
  }

  /** Padding before the first rendered row and after the last, px. */
  get padding(): { readonly beforePx: number; readonly afterPx: number } {
    const items = this.items;
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) return { beforePx: 0, afterPx: 0 };
    return { beforePx: first.start, afterPx: Math.max(0, this.#virtualizer.getTotalSize() - last.end) };
  }

  scrollToIndex(index: number): void {
    this.#virtualizer.scrollToIndex(index, { align: "auto" });
  }
}

type Instance = Virtualizer<HTMLElement, HTMLElement>;

/**
 * The scroll box's size from a ResizeObserver only (its calls come after
 * layout): the library's own reads offsetWidth first, forcing a layout in
 * the middle of rendering.
 */
function observeBoxSize(instance: Instance, onSize: (rect: { width: number; height: number }) => void): () => void {
  const box = instance.scrollElement;
  if (!box) return () => {};
  const observer = new ResizeObserver(([entry]) => {
    const size = entry?.borderBoxSize[0];
    if (size) onSize({ width: Math.round(size.inlineSize), height: Math.round(size.blockSize) });
  });
  observer.observe(box, { box: "border-box" });
  return () => observer.disconnect();
}

/** A row's height from its ResizeObserver entry; before the first one, the last known height or the estimate (never a forced layout). */
function measuredSize(row: HTMLElement, entry: ResizeObserverEntry | undefined, instance: Instance): number {
  const size = entry?.borderBoxSize[0];
  if (size) return Math.round(size.blockSize);
  const index = instance.indexFromElement(row);
  return instance.itemSizeCache.get(instance.options.getItemKey(index)) ?? instance.options.estimateSize(index);
}

/** Attaching scrolls to the current offset; at the top that is a no-op that would still force a layout. */
function scrollUnlessAtTop(offset: number, options: { adjustments?: number; behavior?: ScrollBehavior }, instance: Instance): void {
  if (offset + (options.adjustments ?? 0) === 0 && (instance.scrollOffset ?? 0) === 0) return;
  elementScroll(offset, options, instance);
}
