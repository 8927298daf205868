// Block device files against a model: the device is a byte array, and random reads, writes, preads,
// pwrites and seeks through the file (any offset, any length, across sector edges and the end) must give
// the results a flat file of fixed size gives under Linux's block-device rules (short read at the end,
// ENOSPC at or past it for writes), and leave the device holding exactly the model's bytes.
import type { BlockDevice } from '@kmos/abi-driver';
import { new_encode_dev, O_RDWR, S_IFBLK, SEEK_CUR, SEEK_END, SEEK_SET } from '@kmos/abi-linux';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outcome, tmpfsFixture } from './testing/vfs-fixture.js';

function memoryDisk(sectors: number, sectorSizeBytes: number): BlockDevice & { bytes: Uint8Array } {
  const bytes = new Uint8Array(sectors * sectorSizeBytes);
  const range = (lba: number, count: number) => {
    if (lba < 0 || lba + count > sectors) throw new Error(`sector range ${lba}+${count} outside the disk`);
    return [lba * sectorSizeBytes, (lba + count) * sectorSizeBytes] as const;
  };
  return {
    name: 'hda',
    sectorSizeBytes,
    sectors,
    readOnly: false,
    bytes,
    read: (lba, count, into) => void into.set(bytes.subarray(...range(lba, count))),
    write: (lba, count, from) => {
      const [start, end] = range(lba, count);
      bytes.set(from.subarray(0, end - start), start);
    },
    flush: () => {},
  };
}

type BlockOp =
  | { k: 'pwrite'; off: number; n: number; seed: number }
  | { k: 'pread'; off: number; n: number }
  | { k: 'write'; n: number; seed: number }
  | { k: 'read'; n: number }
  | { k: 'seek'; off: number; whence: number };

const SIZE = 8 * 512;
const offArb = fc.integer({ min: 0, max: SIZE + 600 });
const lenArb = fc.integer({ min: 0, max: 1500 });
const opArb: fc.Arbitrary<BlockOp> = fc.oneof(
  fc.record({ k: fc.constant('pwrite' as const), off: offArb, n: lenArb, seed: fc.nat(255) }),
  fc.record({ k: fc.constant('pread' as const), off: offArb, n: lenArb }),
  fc.record({ k: fc.constant('write' as const), n: lenArb, seed: fc.nat(255) }),
  fc.record({ k: fc.constant('read' as const), n: lenArb }),
  fc.record({
    k: fc.constant('seek' as const),
    off: fc.integer({ min: -100, max: SIZE }),
    whence: fc.constantFrom(SEEK_SET, SEEK_CUR, SEEK_END),
  }),
);

const bytesOf = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe('block device files', () => {
  it('random byte-level I/O matches a fixed-size byte-array model and lands on the right sectors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 30 }), async (ops) => {
        const { vfs, ctx } = tmpfsFixture(0o755);
        const disk = memoryDisk(8, 512);
        const rdev = new_encode_dev(3, 0);
        vfs.devices.registerBlock(rdev, disk);
        await vfs.mknod(ctx, null, '/hda', S_IFBLK | 0o660, rdev);
        const file = await vfs.open(ctx, null, '/hda', O_RDWR);
        const model = new Uint8Array(SIZE);
        let pos = 0;
        const modelWrite = (at: number, data: Uint8Array) => {
          if (data.length === 0) return 0;
          const n = Math.min(data.length, SIZE - at);
          if (n <= 0) return 'ENOSPC';
          model.set(data.subarray(0, n), at);
          return n;
        };
        const modelRead = (at: number, n: number) =>
          Buffer.from(model.subarray(at, Math.min(SIZE, at + n))).toString('hex');
        for (const op of ops) {
          if (op.k === 'pwrite' || op.k === 'write') {
            const data = bytesOf(op.n, op.seed);
            const at = op.k === 'pwrite' ? op.off : pos;
            const want = modelWrite(at, data);
            if (op.k === 'write' && typeof want === 'number') pos += want;
            const got = await outcome(() =>
              op.k === 'pwrite' ? file.pwrite(data, op.off) : file.write(data),
            );
            expect(got).toEqual(
              typeof want === 'number' ? { ok: true, value: want } : { ok: false, errno: 'ENOSPC' },
            );
          } else if (op.k === 'pread' || op.k === 'read') {
            const at = op.k === 'pread' ? op.off : pos;
            const want = modelRead(at, op.n);
            const buf = new Uint8Array(op.n);
            const n = (await (op.k === 'pread' ? file.pread(buf, op.off) : file.read(buf))) as number;
            expect(Buffer.from(buf.subarray(0, n)).toString('hex')).toBe(want);
            if (op.k === 'read') pos += n;
          } else {
            const base = op.whence === SEEK_SET ? 0 : op.whence === SEEK_CUR ? pos : SIZE;
            const target = base + op.off;
            const got = await outcome(() => file.lseek(op.off, op.whence));
            if (target < 0) expect(got).toEqual({ ok: false, errno: 'EINVAL' });
            else {
              expect(got).toEqual({ ok: true, value: target });
              pos = target;
            }
          }
        }
        expect(Buffer.from(disk.bytes).equals(Buffer.from(model))).toBe(true);
        await file.close();
      }),
      { numRuns: 200 },
    );
  });
});
