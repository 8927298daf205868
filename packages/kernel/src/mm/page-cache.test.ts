// File mappings against a model of Linux's semantics, after random writes, reads, fork, exit, msync and
// MADV_DONTNEED over several address spaces that map one file shared or private: a shared mapping reads and
// writes the file's pages; a private one reads the file's current page until it writes, then its own copy.
// At the end every space is torn down: the file must hold exactly the shared writes, and every frame and
// page cache must be gone.

import {
  MADV_DONTNEED,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  MS_SYNC,
  PROT_READ,
  PROT_WRITE,
} from '@kmos/abi-linux';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpace } from './address-space.js';
import { madvise, mmap, msync } from './mmap.js';
import { ArrayFile } from './testing/file-source.js';
import { checkInvariants, newMm, ptr } from './testing/harness.js';
import { getUser32, putUser32 } from './usercopy.js';

const PAGES = 6;
const AT = 0x50000000;

interface Space {
  as: AddressSpace;
  shared: boolean;
  /** Private copies: page → value. */
  own: Map<number, number>;
}

const op = fc.oneof(
  fc.record({ t: fc.constant('map'), shared: fc.boolean() }),
  fc.record({ t: fc.constant('write'), who: fc.nat(), page: fc.nat(PAGES - 1), value: fc.nat() }),
  fc.record({ t: fc.constant('write'), who: fc.nat(), page: fc.nat(PAGES - 1), value: fc.nat() }),
  fc.record({ t: fc.constant('read'), who: fc.nat(), page: fc.nat(PAGES - 1) }),
  fc.record({ t: fc.constant('fork'), who: fc.nat() }),
  fc.record({ t: fc.constant('exit'), who: fc.nat() }),
  fc.record({ t: fc.constant('msync'), who: fc.nat() }),
  fc.record({ t: fc.constant('dontneed'), who: fc.nat(), page: fc.nat(PAGES - 1) }),
);

describe('file mappings through the page cache', () => {
  it('match the model of shared and private mappings, and write back exactly the shared writes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 50 }), (ops) => {
        const { mm, pages } = newMm(8);
        const free0 = pages.stats().freePages;
        const initial = new Uint32Array(PAGES * 1024).map((_, i) => (i % 1024 === 0 ? 0x1000 + i / 1024 : 0));
        const file = new ArrayFile(new Uint8Array(initial.buffer.slice(0)));
        const fileModel = Array.from({ length: PAGES }, (_, p) => 0x1000 + p);
        const spaces: Space[] = [];
        const view = (s: Space, p: number) => (s.shared ? fileModel[p] : (s.own.get(p) ?? fileModel[p]));
        for (const o of ops) {
          if (o.t === 'map') {
            if (spaces.length >= 4) continue;
            const as = AddressSpace.create(mm);
            const flags = (o.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED;
            mmap(
              as,
              AT,
              PAGES * 4096,
              PROT_READ | PROT_WRITE,
              flags,
              { source: file, readable: true, writable: true },
              0,
            );
            spaces.push({ as, shared: o.shared, own: new Map() });
            continue;
          }
          if (spaces.length === 0) continue;
          const s = spaces[o.who % spaces.length];
          switch (o.t) {
            case 'write':
              putUser32(s.as, ptr(AT + o.page * 4096), o.value);
              if (s.shared) fileModel[o.page] = o.value;
              else s.own.set(o.page, o.value);
              break;
            case 'read':
              expect(getUser32(s.as, ptr(AT + o.page * 4096))).toBe(view(s, o.page));
              break;
            case 'fork':
              if (spaces.length < 4) spaces.push({ as: s.as.fork(), shared: s.shared, own: new Map(s.own) });
              break;
            case 'exit':
              s.as.destroy();
              spaces.splice(spaces.indexOf(s), 1);
              break;
            case 'msync':
              msync(s.as, AT, PAGES * 4096, MS_SYNC);
              break;
            case 'dontneed':
              madvise(s.as, AT + o.page * 4096, 4096, MADV_DONTNEED);
              s.own.delete(o.page);
              break;
          }
          checkInvariants(
            mm,
            spaces.map((x) => x.as),
          );
          for (const x of spaces)
            for (let p = 0; p < PAGES; p++) expect(getUser32(x.as, ptr(AT + p * 4096))).toBe(view(x, p));
        }
        for (const s of spaces) s.as.destroy();
        const words = new Uint32Array(file.data.buffer);
        expect(Array.from({ length: PAGES }, (_, p) => words[p * 1024])).toEqual(fileModel);
        expect(mm.caches.count()).toBe(0);
        expect(pages.stats().freePages).toBe(free0);
      }),
      { numRuns: Number(process.env.KMOS_PROPERTY_RUNS ?? 100) },
    );
  }, 600_000);
});
