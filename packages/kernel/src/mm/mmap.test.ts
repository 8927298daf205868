// The Linux mapping calls against a page-per-entry model, after random sequences of mmap, munmap, mprotect,
// mremap, brk, madvise, user reads and writes, fork and exit over several address spaces. The oracle is the
// model (what Linux's semantics say each page holds and allows), read back through the independent SDM walker;
// the VMA list must be exactly the model's maximal runs, and teardown must return every frame.

import {
  EFAULT,
  ENOMEM,
  MADV_DONTNEED,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MREMAP_MAYMOVE,
  PROT_EXEC,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
} from '@kmos/abi-linux';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelError } from '../kernel-error.js';
import { AddressSpace } from './address-space.js';
import { brk, madvise, mmap, mprotect, mremap, munmap, setBrkStart } from './mmap.js';
import { checkInvariants, newMm, ptr } from './testing/harness.js';
import { sdmWalk } from './testing/sdm-walker.js';
import { copyFromUser, copyToUser } from './usercopy.js';

const WINDOW = 0x40000000;
const WINDOW_PAGES = 40;
const HEAP = 0x30000000;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const PROTS = [PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_READ | PROT_EXEC];

interface PageState {
  prot: number;
  heap: boolean;
  data: number;
}
type Model = Map<number, PageState>;
interface Space {
  as: AddressSpace;
  model: Model;
  brk: number;
}

const page = (p: number) => WINDOW / 4096 + p;

function errnoOf(f: () => unknown): number {
  try {
    f();
    return 0;
  } catch (e) {
    if (e instanceof KernelError) return e.errno;
    throw e;
  }
}

function runs(model: Model) {
  const out: { start: number; end: number; prot: number; name: string }[] = [];
  for (const p of [...model.keys()].sort((a, b) => a - b)) {
    const s = model.get(p)!;
    const last = out[out.length - 1];
    const name = s.heap ? '[heap]' : '';
    if (last && last.end === p * 4096 && last.prot === s.prot && last.name === name) last.end += 4096;
    else out.push({ start: p * 4096, end: p * 4096 + 4096, prot: s.prot, name });
  }
  return out;
}

function allFree(model: Model, first: number, n: number) {
  for (let p = first; p < first + n; p++) if (model.has(p)) return false;
  return true;
}

const op = fc.oneof(
  fc.record({
    t: fc.constant('mapFixed'),
    p: fc.nat(WINDOW_PAGES - 1),
    n: fc.integer({ min: 1, max: 8 }),
    prot: fc.constantFrom(...PROTS),
  }),
  fc.record({ t: fc.constant('mapAny'), n: fc.integer({ min: 1, max: 6 }), prot: fc.constantFrom(...PROTS) }),
  fc.record({ t: fc.constant('munmap'), p: fc.nat(WINDOW_PAGES - 1), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    t: fc.constant('mprotect'),
    p: fc.nat(WINDOW_PAGES - 1),
    n: fc.integer({ min: 1, max: 6 }),
    prot: fc.constantFrom(...PROTS),
  }),
  fc.record({ t: fc.constant('write'), pick: fc.nat(), value: fc.integer({ min: 1, max: 0x7fffffff }) }),
  fc.record({ t: fc.constant('write'), pick: fc.nat(), value: fc.integer({ min: 1, max: 0x7fffffff }) }),
  fc.record({ t: fc.constant('read'), pick: fc.nat() }),
  fc.record({ t: fc.constant('dontneed'), p: fc.nat(WINDOW_PAGES - 1), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({
    t: fc.constant('mremap'),
    pick: fc.nat(),
    oldN: fc.integer({ min: 1, max: 4 }),
    newN: fc.integer({ min: 1, max: 6 }),
    move: fc.boolean(),
  }),
  fc.record({ t: fc.constant('brk'), pages: fc.integer({ min: -1, max: 6 }), extra: fc.nat(4095) }),
  fc.record({ t: fc.constant('fork') }),
  fc.record({ t: fc.constant('exit'), pick: fc.nat() }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function pickPage(model: Model, pick: number): number {
  const pages = [...model.keys()].sort((a, b) => a - b);
  if (pages.length === 0 || pick % 5 === 0) return page(pick % WINDOW_PAGES);
  return pages[pick % pages.length];
}

function apply(s: Space, o: Op, spaces: Space[]): void {
  const { as, model } = s;
  switch (o.t) {
    case 'mapFixed': {
      mmap(as, WINDOW + o.p * 4096, o.n * 4096, o.prot, ANON | MAP_FIXED, null, 0);
      for (let p = page(o.p); p < page(o.p) + o.n; p++) model.set(p, { prot: o.prot, heap: false, data: 0 });
      return;
    }
    case 'mapAny': {
      const addr = mmap(as, 0, o.n * 4096, o.prot, ANON, null, 0);
      expect(allFree(model, addr / 4096, o.n), 'mmap chose a used range').toBe(true);
      for (let p = addr / 4096; p < addr / 4096 + o.n; p++)
        model.set(p, { prot: o.prot, heap: false, data: 0 });
      return;
    }
    case 'munmap': {
      munmap(as, WINDOW + o.p * 4096, o.n * 4096);
      for (let p = page(o.p); p < page(o.p) + o.n; p++) model.delete(p);
      return;
    }
    case 'mprotect': {
      let mapped = true;
      for (let p = page(o.p); p < page(o.p) + o.n; p++) mapped &&= model.has(p);
      expect(errnoOf(() => mprotect(as, WINDOW + o.p * 4096, o.n * 4096, o.prot))).toBe(mapped ? 0 : ENOMEM);
      if (mapped) for (let p = page(o.p); p < page(o.p) + o.n; p++) model.get(p)!.prot = o.prot;
      return;
    }
    case 'write': {
      const p = pickPage(model, o.pick);
      const st = model.get(p);
      const bytes = new Uint8Array(new Uint32Array([o.value]).buffer);
      const ok = st !== undefined && (st.prot & PROT_WRITE) !== 0;
      expect(errnoOf(() => copyToUser(as, ptr(p * 4096), bytes))).toBe(ok ? 0 : EFAULT);
      if (ok) st.data = o.value;
      return;
    }
    case 'read': {
      const p = pickPage(model, o.pick);
      const st = model.get(p);
      const into = new Uint8Array(4);
      const ok = st !== undefined && st.prot !== PROT_NONE;
      expect(errnoOf(() => copyFromUser(as, ptr(p * 4096), into))).toBe(ok ? 0 : EFAULT);
      if (ok) expect(new Uint32Array(into.buffer)[0]).toBe(st.data);
      return;
    }
    case 'dontneed': {
      let mapped = true;
      for (let p = page(o.p); p < page(o.p) + o.n; p++) {
        const st = model.get(p);
        if (st) st.data = 0;
        else mapped = false;
      }
      expect(errnoOf(() => madvise(as, WINDOW + o.p * 4096, o.n * 4096, MADV_DONTNEED))).toBe(
        mapped ? 0 : ENOMEM,
      );
      return;
    }
    case 'mremap':
      applyMremap(s, o as Extract<Op, { t: 'mremap' }>);
      return;
    case 'brk': {
      const target = s.brk + o.pages * 4096 + (o.pages === 0 ? o.extra : 0);
      const oldEnd = Math.ceil(s.brk / 4096);
      const newEnd = Math.ceil(target / 4096);
      let expected = s.brk;
      if (target >= HEAP && (newEnd <= oldEnd || allFree(model, oldEnd, newEnd - oldEnd))) expected = target;
      expect(brk(as, target)).toBe(expected);
      if (expected === target) {
        for (let p = newEnd; p < oldEnd; p++) model.delete(p);
        for (let p = oldEnd; p < newEnd; p++)
          model.set(p, { prot: PROT_READ | PROT_WRITE, heap: true, data: 0 });
        s.brk = target;
      }
      return;
    }
    case 'fork': {
      if (spaces.length >= 4) return;
      const child = as.fork();
      const copy: Model = new Map([...model].map(([p, st]) => [p, { ...st }]));
      spaces.push({ as: child, model: copy, brk: s.brk });
      return;
    }
    case 'exit': {
      if (spaces.length < 2) return;
      const i = o.pick % spaces.length;
      spaces[i].as.destroy();
      spaces.splice(i, 1);
      return;
    }
  }
}

function applyMremap(s: Space, o: { pick: number; oldN: number; newN: number; move: boolean }): void {
  const { as, model } = s;
  const p0 = pickPage(model, o.pick);
  const run = runs(model).find((r) => r.start <= p0 * 4096 && p0 * 4096 < r.end);
  const flags = o.move ? MREMAP_MAYMOVE : 0;
  const call = () => mremap(as, p0 * 4096, o.oldN * 4096, o.newN * 4096, flags, 0);
  if (run === undefined || (p0 + o.oldN) * 4096 > run.end) {
    expect(errnoOf(call)).toBe(EFAULT);
    return;
  }
  const proto = model.get(p0)!;
  if (o.newN <= o.oldN) {
    expect(call()).toBe(p0 * 4096);
    for (let p = p0 + o.newN; p < p0 + o.oldN; p++) model.delete(p);
    return;
  }
  const inPlace = (p0 + o.oldN) * 4096 === run.end && allFree(model, p0 + o.oldN, o.newN - o.oldN);
  if (!inPlace && !o.move) {
    expect(errnoOf(call)).toBe(ENOMEM);
    return;
  }
  const to = call() / 4096;
  if (inPlace) expect(to).toBe(p0);
  else expect(allFree(model, to, o.newN)).toBe(true);
  const moved: PageState[] = [];
  for (let p = p0; p < p0 + o.oldN; p++) {
    moved.push(model.get(p)!);
    model.delete(p);
  }
  for (let i = 0; i < o.newN; i++)
    model.set(to + i, i < o.oldN ? moved[i] : { prot: proto.prot, heap: proto.heap, data: 0 });
}

function checkModel(s: Space, memory: { u32: Uint32Array }) {
  const actual = s.as.vmas.all().map((v) => ({ start: v.start, end: v.end, prot: v.prot, name: v.name }));
  expect(actual).toEqual(runs(s.model));
  for (const [p, st] of s.model) {
    const w = sdmWalk(s.as.mm.memory, s.as.cr3, p * 4096);
    expect(w.phys < 0 ? 0 : memory.u32[w.phys >>> 2]).toBe(st.data);
  }
}

describe('mmap, munmap, mprotect, mremap, brk, madvise and fork against a page model', () => {
  it('agree with the model after random operations, and teardown frees every frame', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(op, fc.nat()), { minLength: 1, maxLength: 60 }), (ops) => {
        const { pages, mm, memory } = newMm(16);
        const free0 = pages.stats().freePages;
        const first = newSpace(mm);
        const spaces: Space[] = [first];
        for (const [o, who] of ops) {
          const s = spaces[who % spaces.length];
          apply(s, o, spaces);
          checkInvariants(
            mm,
            spaces.map((x) => x.as),
          );
          for (const x of spaces) checkModel(x, memory);
        }
        for (const x of spaces) x.as.destroy();
        expect(mm.caches.count()).toBe(0);
        expect(pages.stats().freePages).toBe(free0);
      }),
      { numRuns: Number(process.env.KMOS_PROPERTY_RUNS ?? 150) },
    );
  }, 600_000);
});

function newSpace(mm: ReturnType<typeof newMm>['mm']): Space {
  const as = AddressSpace.create(mm);
  setBrkStart(as, HEAP);
  return { as, model: new Map(), brk: HEAP };
}
