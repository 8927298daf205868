/**
 * The input generator of x87-oracle.c, mirrored in TypeScript: the same xorshift32 PRNG and the same choices
 * in the same order, so the test feeds the X87 class exactly the states the host CPU saw. Test support for the
 * cpu-i386 x87 unit; every function here must stay in step with its C twin (same name, snake_case there).
 * C's unsigned 32-bit wrap-around is reproduced with `>>> 0`.
 */

export const M_NONE = 0;
export const M_I16 = 1;
export const M_I32 = 2;
export const M_I64 = 3;
export const M_F32 = 4;
export const M_F64 = 5;
export const M_F80 = 6;
export const M_BCD = 7;
export const M_CW = 8;
/** No memory operand; ST(0) and ST(1) are replaced by values at the edge of the normal range (genTiny). */
export const M_TINY = 9;

interface Ext {
  sign: number;
  exp: number;
  hi: number;
  lo: number;
}

export class OracleInputs {
  private s = 0x2545f491;
  /** The FNSAVE image (108 bytes, 32-bit layout) and the memory operand of the current case. */
  readonly img = new Uint8Array(112);
  readonly mem = new Uint8Array(128);
  flagsIn = 0;

  rnd(): number {
    let s = this.s;
    s = (s ^ (s << 13)) >>> 0;
    s = (s ^ (s >>> 17)) >>> 0;
    s = (s ^ (s << 5)) >>> 0;
    this.s = s;
    return s;
  }

  private genExt(near: Ext | null): Ext {
    const c = this.rnd() % 24;
    const x: Ext = { sign: this.rnd() & 1, hi: (0x80000000 | this.rnd()) >>> 0, lo: this.rnd(), exp: 0 };
    x.exp = 16383 - 40 + (this.rnd() % 80);
    switch (c) {
      case 0:
        x.exp = 0;
        x.hi = 0;
        x.lo = 0;
        break;
      case 1:
        x.exp = 0;
        x.hi = (x.hi & (0x7fffffff >> (this.rnd() % 32))) >>> 0;
        break;
      case 2:
        x.exp = 0x7fff;
        x.hi = 0x80000000;
        x.lo = 0;
        break;
      case 3:
        x.exp = 0x7fff;
        x.hi = (x.hi | 0x40000000) >>> 0;
        break;
      case 4:
        x.exp = 0x7fff;
        x.hi = (x.hi & 0xbfffffff) >>> 0;
        x.lo = (x.lo | 1) >>> 0;
        break;
      case 5:
        x.exp = 0x7ffe - (this.rnd() % 4);
        break;
      case 6:
        x.exp = 1 + (this.rnd() % 4);
        break;
      case 7:
        x.exp = 16383 + (this.rnd() % 16);
        x.hi = (x.hi & 0xfff00000) >>> 0;
        x.lo = 0;
        break;
      case 8:
        x.exp = this.rnd() % 0x7fff;
        x.hi = (x.hi & 0x7fffffff) >>> 0;
        break;
      case 9:
        x.exp = (16383 + (this.rnd() % 64) - 32) >>> 0;
        x.hi = 0x80000000;
        x.lo = 0;
        break;
      case 10:
        x.hi = 0xffffffff;
        x.lo = (0xffffffff << (this.rnd() % 32)) >>> 0;
        break;
      case 11:
        x.hi = 0x80000000;
        x.lo = this.rnd() & 0xfff;
        break;
      case 12:
      case 13:
      case 14:
        if (near) {
          x.exp = (near.exp + (this.rnd() % 3) - 1) >>> 0;
          x.hi = near.hi;
          x.lo = (near.lo ^ (this.rnd() & 0xfff)) >>> 0;
        }
        break;
      case 15:
        x.exp = 16383 - 2 + (this.rnd() % 68);
        break;
      case 16:
        x.exp = (16383 - 1 - (this.rnd() % 8)) >>> 0;
        break;
      case 17:
        x.exp = 16383 - 16000 + (this.rnd() % 32000);
        break;
      case 18:
        x.exp = (16383 - 64 - (this.rnd() % 16384)) >>> 0;
        break;
      case 19:
        x.exp = 1 + (this.rnd() % 128);
        break;
      default:
        break;
    }
    return x;
  }

  private genInt32(): number {
    const c = this.rnd() % 4;
    const v = this.rnd();
    if (c === 0) return ((v % 41) - 20) >>> 0;
    if (c === 1) return v >>> (this.rnd() % 32);
    return v;
  }

  private genFloatBits(isDoubleHi: boolean): number {
    const c = this.rnd() % 8;
    const v = this.rnd();
    const expmask = isDoubleHi ? 0x7ff00000 : 0x7f800000;
    const fracSign = isDoubleHi ? 0x800fffff : 0x807fffff;
    if (c === 0) return (v & 0x80000000) >>> 0;
    if (c === 1) return (v & (0x80000000 | ~expmask) & fracSign) >>> 0;
    if (c === 2) return ((v & ~expmask) | expmask) >>> 0;
    if (c === 3) return ((v & fracSign) | (isDoubleHi ? 0x3ff00000 : 0x3f800000)) >>> 0;
    return v;
  }

  /**
   * ST(0) at or just below the smallest normal of a format (t: its biased extended exponent), times 2^shift:
   * significands whose rounding at 24, 53 or 64 bits does or does not carry into the smallest normal (ties
   * included). Exponent 0 becomes the denormal of that value (less its lowest bit).
   */
  private genBoundary(t: number, shift: number): Ext {
    const k = this.rnd() % 8;
    const x: Ext = { sign: this.rnd() & 1, exp: t - 1 + shift, hi: 0xffffffff, lo: 0xffffffff };
    switch (k) {
      case 0:
        x.exp = t + shift;
        x.hi = 0x80000000;
        x.lo = 0;
        break;
      case 1:
        break;
      case 2:
        x.hi = (0xffffff00 | (this.rnd() & 0xff)) >>> 0;
        x.lo = this.rnd();
        break;
      case 3:
        x.lo = (0xfffff800 | (this.rnd() & 0x7ff)) >>> 0;
        break;
      case 4:
        x.hi = 0xffffff80;
        x.lo = 0;
        break;
      case 5:
        x.lo = 0xfffffc00;
        break;
      case 6:
        x.hi = (0xffffff00 | (this.rnd() & 0x7f)) >>> 0;
        x.lo = this.rnd();
        break;
      default:
        x.exp = t + shift;
        x.hi = (0x80000000 | (this.rnd() & 0xff)) >>> 0;
        x.lo = this.rnd();
        break;
    }
    if (x.exp === 0) {
      x.lo = ((x.lo >>> 1) | (x.hi << 31)) >>> 0;
      x.hi = x.hi >>> 1;
    }
    return x;
  }

  /** ST(1): an operand that moves ST(0) across the boundary or not (zero, 1, 1 ± ulp, a neighbour, ...) / 2^shift. */
  private genFactor(a: Ext, shift: number): Ext {
    const k = this.rnd() % 8;
    const x: Ext = { sign: this.rnd() & 1, exp: 16383 - shift, hi: 0x80000000, lo: 0 };
    switch (k) {
      case 0:
        x.exp = 0;
        x.hi = 0;
        break;
      case 1:
        break;
      case 2:
        x.lo = 1;
        break;
      case 3:
        x.exp = 16382 - shift;
        x.hi = 0xffffffff;
        x.lo = 0xffffffff;
        break;
      case 4:
        x.exp = 0;
        x.hi = 0;
        x.lo = 1;
        break;
      case 5:
        x.exp = a.exp;
        x.hi = a.hi;
        x.lo = (a.lo ^ (this.rnd() & 0xfff)) >>> 0;
        break;
      case 6:
        x.exp = 16382 - shift + (this.rnd() % 3);
        break;
      default:
        x.hi = (0x80000000 | this.rnd()) >>> 0;
        x.lo = this.rnd();
        break;
    }
    return x;
  }

  /** Overwrites ST(0) and ST(1) of the image (tagged valid); UE is unmasked (and not pending) half of the time. */
  private genTiny(): void {
    const targets = [1, 16383 - 126, 16383 - 1022];
    const t = targets[this.rnd() % 3];
    const shift = this.rnd() % 2 ? 0 : 32;
    const a = this.genBoundary(t, shift);
    const b = this.genFactor(a, shift);
    const img = this.img;
    const sw = get16(img, 4);
    const top = (sw >>> 11) & 7;
    putExt(img, 28, a);
    putExt(img, 38, b);
    put16(img, 8, get16(img, 8) & ~(3 << (2 * top)) & ~(3 << (2 * ((top + 1) & 7))));
    if (this.rnd() % 2) {
      put16(img, 0, get16(img, 0) & ~0x10);
      put16(img, 4, sw & ~0x10);
    }
  }

  genMem(memtype: number, st0: Ext): void {
    const mem = this.mem;
    mem.fill(0, 0, 16);
    switch (memtype) {
      case M_I16:
        put16(mem, 0, this.genInt32());
        break;
      case M_I32:
        put32(mem, 0, this.genInt32());
        break;
      case M_I64: {
        const lo = this.genInt32();
        const hi = this.rnd() % 3 === 0 ? (lo & 0x80000000 ? 0xffffffff : 0) : this.genInt32();
        put32(mem, 0, lo);
        put32(mem, 4, hi);
        break;
      }
      case M_F32:
        put32(mem, 0, this.genFloatBits(false));
        break;
      case M_F64: {
        const hi = this.genFloatBits(true);
        put32(mem, 4, hi);
        put32(mem, 0, this.rnd() % 4 === 0 ? 0 : this.rnd());
        break;
      }
      case M_F80:
        putExt(mem, 0, this.genExt(st0));
        break;
      case M_BCD:
        for (let i = 0; i < 9; i++) {
          const r = this.rnd();
          mem[i] = ((r % 10) << 4) | ((r >>> 8) % 10);
          if (r % 64 === 0) mem[i] = (r >>> 16) & 0xff;
        }
        mem[9] = this.rnd() & 0x80;
        break;
      case M_CW:
        put16(mem, 0, (this.rnd() & 0x0f3f) | 0x40);
        break;
      case M_TINY:
        this.genTiny();
        break;
      default:
        break;
    }
  }

  /** Fills `img` with a random FNSAVE image; returns ST(0) (the memory generator uses it). */
  genState(): Ext {
    const r = this.rnd();
    const pcs = [0, 2, 3, 3];
    const masks = (r & 0x70) === 0 ? (r >>> 8) & 0x3f : 0x3f;
    const cw = 0x40 | masks | (pcs[r & 3] << 8) | (((r >>> 2) & 3) << 10);
    const top = (r >>> 16) & 7;
    let sw = ((r >>> 20) & 0x4700) | (top << 11);
    if (r >>> 28 === 0) sw |= this.rnd() & 0x7f & masks;
    let tag = 0;
    const img = this.img;
    img.fill(0);
    let st0: Ext | null = null;
    for (let i = 0; i < 8; i++) {
      const x = this.genExt(i === 1 ? st0 : null);
      if (i === 0) st0 = x;
      putExt(img, 28 + 10 * i, x);
      const e = this.rnd() % 32;
      const empty = i === 0 ? e === 0 : i === 1 ? e === 1 : i === 7 ? e >= 4 : (e & 1) === 1;
      if (empty) tag |= 3 << (2 * ((top + i) & 7));
    }
    put32(img, 0, 0xffff0000 | cw);
    put32(img, 4, 0xffff0000 | sw);
    put32(img, 8, 0xffff0000 | tag);
    this.flagsIn = 0x202 | (this.rnd() & 0x45);
    return st0 as Ext;
  }
}

function get16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}

function put32(b: Uint8Array, o: number, v: number): void {
  put16(b, o, v);
  put16(b, o + 2, v >>> 16);
}

/** As the C put_ext: the exponent is ORed with the sign bit before truncating to 16 bits. */
function putExt(b: Uint8Array, o: number, x: Ext): void {
  put32(b, o, x.lo);
  put32(b, o + 4, x.hi);
  put16(b, o + 8, ((x.sign << 15) | x.exp) & 0xffff);
}
