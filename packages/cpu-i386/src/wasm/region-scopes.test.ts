/**
 * The loops a region's labels are laid out in (region-scopes.ts): which runs of labels become scopes, how
 * they nest, and the items and dispatch targets the region writer takes from them. (wasm-templates.test.ts
 * runs nested loops entered at every label against the interpreter.)
 */
import { describe, expect, it } from 'vitest';
import { RegionScopes, ROOT_SCOPE } from './region-scopes.js';

describe('region scopes', () => {
  it('span from a label to the last label whose code goes back to it, nested', () => {
    // Labels 0..7: 7 goes back to 1, 4 and 3 go back to 2, 6 goes back to 5.
    const scopes = new RegionScopes(8, [
      [7, 1],
      [3, 2],
      [4, 2],
      [6, 5],
    ]);
    expect([0, 1, 2, 3, 4, 5, 6, 7].filter((l) => scopes.starts(l))).toEqual([1, 2, 5]);
    expect(scopes.items(ROOT_SCOPE)).toEqual([0, 1]);
    expect(scopes.items(1)).toEqual([1, 2, 5, 7]);
    expect(scopes.items(2)).toEqual([2, 3, 4]);
    expect(scopes.inner(2)).toEqual([3, 4]);
    expect(scopes.endingAt(4)).toEqual([2]);
    expect(scopes.endingAt(7)).toEqual([1]);
    expect(scopes.endingAt(3)).toEqual([]);
    expect(scopes.common(3, 6)).toBe(1);
    expect(scopes.common(3, 4)).toBe(2);
    expect(scopes.common(0, 4)).toBe(ROOT_SCOPE);
    expect(scopes.itemOf(ROOT_SCOPE, 4)).toBe(1);
    expect(scopes.itemOf(1, 4)).toBe(2);
    expect(scopes.itemOf(1, 7)).toBe(7);
    expect(scopes.itemOf(2, 4)).toBe(4);
  });

  it('end together when the inner one reaches the outer one’s last label', () => {
    const scopes = new RegionScopes(4, [
      [3, 0],
      [3, 2],
    ]);
    expect(scopes.endingAt(3)).toEqual([2, 0]);
    expect(scopes.items(0)).toEqual([0, 1, 2]);
  });

  it('drop a scope that overlaps an earlier one without nesting in it, and never start two at one label', () => {
    // 0..3 and 2..5 overlap: the later is dropped; 0 is gone back to from 3 and from 1: one scope, 0..3.
    const scopes = new RegionScopes(6, [
      [3, 0],
      [1, 0],
      [5, 2],
    ]);
    expect([0, 1, 2, 3, 4, 5].filter((l) => scopes.starts(l))).toEqual([0]);
    expect(scopes.items(0)).toEqual([0, 1, 2, 3]);
    expect(scopes.common(2, 5)).toBe(ROOT_SCOPE);
  });

  it('ignore gotos forward and to the same label', () => {
    const scopes = new RegionScopes(3, [
      [0, 2],
      [1, 1],
    ]);
    expect([0, 1, 2].some((l) => scopes.starts(l))).toBe(false);
    expect(scopes.items(ROOT_SCOPE)).toEqual([0, 1, 2]);
  });
});
