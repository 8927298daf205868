/**
 * The loops of a WebAssembly region: runs of its labels (in writing order) that a goto from their own code
 * goes back to the first of, each written inside a `loop` of its own. Layer: arch plugin (cpu-i386);
 * wasm-region.ts lays its case blocks out by these scopes and branches through them.
 *
 * Why: a backward goto to any label but the current one went back through the region's top `loop` and its
 * `br_table` over every label. V8 keeps the guest registers in stack slots across that merge of every path,
 * so each such goto stored and reloaded them all and took an indirect jump: in a sort's partition loop,
 * every few instructions. A goto back to a scope's first label branches to the scope's own loop instead,
 * where a compare sends it on to that label; other labels inside the scope (entries into the region, gotos
 * back to a label that starts no scope) go through the scope's own `br_table`.
 *
 * Shape: a scope spans label `first` to the last label whose code goes back to it. Scopes nest or are
 * disjoint; of two that overlap otherwise, the one starting later is dropped (its gotos dispatch as before).
 * Two never start at the same label (the wider is kept). Labels are numbered 0..count-1; the root (-1)
 * spans them all.
 */
export const ROOT_SCOPE = -1;

export class RegionScopes {
  /** For each label, the last label of the scope starting there, or -1. */
  private readonly lastOf: Int32Array;
  /** For each label, the first label of the innermost scope holding it, or ROOT_SCOPE. */
  private readonly innermostOf: Int32Array;

  /** `backGotos`: label pairs [from, to] with to < from, a goto from label from's code to label to. */
  constructor(
    private readonly count: number,
    backGotos: Iterable<readonly [number, number]>,
  ) {
    const reach = new Int32Array(count).fill(-1);
    for (const [from, to] of backGotos) if (to < from && from > (reach[to] as number)) reach[to] = from;
    this.lastOf = new Int32Array(count).fill(-1);
    this.innermostOf = new Int32Array(count).fill(ROOT_SCOPE);
    const open: number[] = [];
    for (let label = 0; label < count; label++) {
      while (open.length > 0 && (this.lastOf[open[open.length - 1] as number] as number) < label) open.pop();
      const last = reach[label] as number;
      const outer = open.length > 0 ? (this.lastOf[open[open.length - 1] as number] as number) : count;
      if (last > label && last <= outer) {
        this.lastOf[label] = last;
        open.push(label);
      }
      this.innermostOf[label] = open.length > 0 ? (open[open.length - 1] as number) : ROOT_SCOPE;
    }
  }

  /** Whether a scope starts at `label`. */
  starts(label: number): boolean {
    return (this.lastOf[label] as number) >= 0;
  }

  /** The scopes (their first labels) whose last label is `label`, innermost first. */
  endingAt(label: number): number[] {
    const ending: number[] = [];
    for (let s = this.innermostOf[label] as number; s !== ROOT_SCOPE; s = this.parentOf(s))
      if (this.lastOf[s] === label) ending.push(s);
    return ending;
  }

  /** The innermost scope holding both labels. */
  common(a: number, b: number): number {
    let s = this.innermostOf[a] as number;
    while (s !== ROOT_SCOPE && !this.holds(s, b)) s = this.parentOf(s);
    return s;
  }

  /** The item of scope `s` that holds `label` (a label of s's own, or a scope inside s): its first label. */
  itemOf(s: number, label: number): number {
    let item = label;
    for (let x = this.innermostOf[label] as number; x !== s && x !== ROOT_SCOPE; x = this.parentOf(x))
      item = x;
    return item;
  }

  /** The items of scope `s` in order (their first labels): its own labels and the scopes directly inside. */
  items(s: number): number[] {
    const items: number[] = [];
    const last = s === ROOT_SCOPE ? this.count - 1 : (this.lastOf[s] as number);
    let label = s === ROOT_SCOPE ? 0 : s;
    while (label <= last) {
      items.push(label);
      label = label !== s && this.starts(label) ? (this.lastOf[label] as number) + 1 : label + 1;
    }
    return items;
  }

  /** The labels of scope `s` after its first (those its `br_table` dispatches to). */
  inner(s: number): number[] {
    const labels: number[] = [];
    for (let label = s + 1; label <= (this.lastOf[s] as number); label++) labels.push(label);
    return labels;
  }

  private holds(s: number, label: number): boolean {
    return label >= s && label <= (this.lastOf[s] as number);
  }

  /** The innermost scope around scope `s`. */
  private parentOf(s: number): number {
    for (let x = s - 1; x >= 0; x--) if (this.starts(x) && this.holds(x, s)) return x;
    return ROOT_SCOPE;
  }
}
