import { it } from 'vitest';
import { X87State } from './fpu/x87-state.js';
import { X87_AT, x87StorageAt } from './wasm/arch-state.js';
import { CodeWriter, encodeModule, I32, Op } from './wasm/wasm-encoder.js';
import { X87_FUNCTION_NAMES, x87Functions } from './wasm/x87-wasm.js';

const W = (globalThis as any).WebAssembly;
it('mb', () => {
  const mem = new W.Memory({ initial: 1, maximum: 1 });
  const BASE = 4096 - X87_AT;
  const fns = x87Functions(BASE);
  const names = ['add', 'multiply', 'divide'];
  const loops = names.map((name) => {
    const idx = X87_FUNCTION_NAMES.indexOf(name as any);
    const w = new CodeWriter();
    w.begin(Op.loop, 'l');
    w.i32(name === 'add' ? 0 : name === 'multiply' ? 1 : 6)
      .i32(0)
      .i32(1)
      .i32(0)
      .i32(0)
      .i32(0)
      .call(names.length + idx);
    w.op(Op.drop);
    w.get(0).i32(1).op(Op.i32Sub).tee(0).brIf('l');
    w.end();
    return { type: { params: [I32], results: [] }, locals: 0, body: w };
  });
  const bytes = encodeModule({
    imports: [],
    memoryPages: 1,
    exports: names,
    functions: [...loops, ...fns] as any,
  });
  const inst = new W.Instance(new W.Module(bytes), { env: { memory: mem } });
  const s = new X87State(x87StorageAt(mem.buffer, BASE));
  for (const name of names) {
    for (let round = 0; round < 3; round++) {
      s.reset();
      s.sign[0] = 0;
      s.exp[0] = 16383;
      s.hi[0] = 0x80000123;
      s.lo[0] = 0x45678901;
      s.empty[0] = 0;
      s.sign[1] = 0;
      s.exp[1] = 16383;
      s.hi[1] = 0x80000001;
      s.lo[1] = 0x00000777;
      s.empty[1] = 0;
      s.top = 0;
      const n = 5_000_000;
      const t = performance.now();
      inst.exports[name](n);
      const dt = performance.now() - t;
      if (round === 2) console.log(name, ((dt * 1e6) / n).toFixed(2), 'ns/call', s.exp[0], s.sw);
    }
  }
});
