/**
 * Generators for the x87 groups. Each form loads up to two 80-bit values (a on top, b below), optionally
 * a memory operand, runs under one of the control words from x87-values.ts (rounding and precision
 * control), then stores the status word, EFLAGS (for fcomi) and up to two results with fstp tbyte, so
 * the 80-bit values compare bit for bit. Condition bits the SDM leaves undefined are masked per
 * undefined-flags.ts. Operands come from domains where the SDM defines the result (f2xm1 on [-1, 1]).
 * x87-transcendental compares its eight approximated instructions within the accuracy the SDM documents
 * (documented-accuracy.ts); the other groups compare bit for bit.
 */
import { type LineRule, TRANSCENDENTAL_ACCURACY } from '../documented-accuracy.js';
import { definedBitsExpr } from '../undefined-flags.js';
import { asmLines, cName, cProgram, cString, type Group } from './c-program.js';
import { X87_VALUES_C } from './x87-values.js';

type Kind = 'ANY' | 'UNIT' | 'SMALL' | 'POSITIVE';
type Mem = 'M_NONE' | 'M_F32' | 'M_F64' | 'M_I16' | 'M_I32' | 'M_I64' | 'M_BCD';

interface FpuForm {
  readonly label: string;
  /** The instruction's name in undefined-flags.ts. */
  readonly op: string;
  /** Lines of asm run after the loads; %[min] is the memory input, %[mout] the memory output. */
  readonly body: string[];
  readonly loads: 0 | 1 | 2;
  readonly results: 0 | 1 | 2;
  readonly kindA?: Kind;
  readonly kindB?: Kind;
  readonly memIn?: Mem;
  readonly memOut?: Mem;
  /** fcomi and friends report through EFLAGS too. */
  readonly eflags?: boolean;
  /** Operand sets: the edge x edge grid (for two loads), or only `cases` random draws. */
  readonly grid?: boolean;
  readonly cases?: number;
  /** Run under every control word, or only the three rounding modes nearest, down and up. */
  readonly allControls?: boolean;
}

/** The C function of one form: fn(a, b, memory input, control word) prints one line. */
function formFunction(form: FpuForm): string {
  const loads = form.loads === 2 ? ['fldt %[b]', 'fldt %[a]'] : form.loads === 1 ? ['fldt %[a]'] : [];
  const stores =
    form.results === 2 ? ['fstpt %[r0]', 'fstpt %[r1]'] : form.results === 1 ? ['fstpt %[r0]'] : [];
  const asm = asmLines(
    'pushl %[fin]',
    'popfl',
    'fninit',
    'fldcw %[cw]',
    ...loads,
    ...form.body,
    'fnstsw %[sw]',
    'pushfl',
    'popl %[fl]',
    ...stores,
    'fninit',
  );
  const memOut = form.memOut ?? 'M_NONE';
  return `static void ${cName(form.label)}(const f80 *a, const f80 *b, const u8 *min, u16 cw) {
  f80 r0 = {0, 0}, r1 = {0, 0};
  u8 mout[10] = {0};
  u16 sw;
  u32 fl, fin = STATUS_FLAGS;
  __asm__ volatile(${asm}
    : [sw] "=m"(sw), [fl] "=&r"(fl), [r0] "=m"(r0), [r1] "=m"(r1), [mout] "=m"(mout)
    : [a] "m"(*a), [b] "m"(*b), [min] "m"(*(const u8 (*)[10])min), [cw] "m"(cw), [fin] "r"(fin)
    : "eax", "memory", "cc");
  out_s(${cString(form.label)});
  out_kv("cw", cw, 16);
  ${form.loads >= 1 ? 'out_f80("a", a);' : ''}
  ${form.loads === 2 ? 'out_f80("b", b);' : ''}
  ${form.memIn && form.memIn !== 'M_NONE' ? `out_bytes("m", min, mem_bytes[${form.memIn}]);` : ''}
  out_s(" ->");
  ${form.results >= 1 ? 'out_f80("r0", &r0);' : ''}
  ${form.results === 2 ? 'out_f80("r1", &r1);' : ''}
  ${memOut !== 'M_NONE' ? `out_bytes("mout", mout, mem_bytes[${memOut}]);` : ''}
  out_kv("sw", sw & ${definedBitsExpr(form.op, 'fsw', 'FSW_ALL')}, 16);
  ${form.eflags ? 'out_kv("f", fl & STATUS_FLAGS, 12);' : '(void)fl;'}
  out_nl();
}`;
}

/** The driver of one form: operand grid or random cases, times control words. */
function formCall(form: FpuForm): string {
  // Every control word, or the first three: round to nearest, down and up at full precision.
  const controls = form.allControls ? 'COUNT_OF(control_words)' : '3';
  const grid = form.grid && form.loads === 2;
  return `for (u32 c = 0; c < ${controls}; c++) {
    u16 cw = control_words[c];
    for (u32 i = 0; i < ${grid ? 'F80_EDGE_COUNT' : (form.cases ?? 40)}; i++)
      for (u32 j = 0; j < ${grid ? 'F80_EDGE_COUNT' : 1}; j++) {
        f80 a, b;
        u8 m[10];
        f80_value(${form.kindA ?? 'ANY'}, i, &a);
        f80_value(${form.kindB ?? 'ANY'}, ${grid ? 'j' : 'i + 3'}, &b);
        mem_value(${form.memIn ?? 'M_NONE'}, i, m);
        ${cName(form.label)}(&a, &b, m, cw);
      }
  }`;
}

function group(name: string, forms: readonly FpuForm[], lineRule?: LineRule): Group {
  const source = cProgram([X87_VALUES_C, ...forms.map(formFunction)], forms.map(formCall));
  return { name, source, lineRule };
}

const one = (label: string, op: string, body: string[], extra: Partial<FpuForm> = {}): FpuForm => ({
  label,
  op,
  body,
  loads: 1,
  results: 1,
  allControls: true,
  cases: 40,
  ...extra,
});

function loadStoreForms(): FpuForm[] {
  const forms: FpuForm[] = [
    { label: 'fld m32', op: 'fld', body: ['flds %[min]'], loads: 0, results: 1, memIn: 'M_F32', cases: 40 },
    { label: 'fld m64', op: 'fld', body: ['fldl %[min]'], loads: 0, results: 1, memIn: 'M_F64', cases: 40 },
    { label: 'fld m80; fstp m80', op: 'fld', body: [], loads: 1, results: 1, cases: 40 },
    { label: 'fld st(1)', op: 'fld', body: ['fld %%st(1)'], loads: 2, results: 2, cases: 24 },
    {
      label: 'fild m16',
      op: 'fild',
      body: ['filds %[min]'],
      loads: 0,
      results: 1,
      memIn: 'M_I16',
      cases: 24,
    },
    {
      label: 'fild m32',
      op: 'fild',
      body: ['fildl %[min]'],
      loads: 0,
      results: 1,
      memIn: 'M_I32',
      cases: 24,
    },
    {
      label: 'fild m64',
      op: 'fild',
      body: ['fildll %[min]'],
      loads: 0,
      results: 1,
      memIn: 'M_I64',
      cases: 24,
    },
    { label: 'fbld m80', op: 'fbld', body: ['fbld %[min]'], loads: 0, results: 1, memIn: 'M_BCD', cases: 24 },
  ];
  const stores: Array<[string, string, string, Mem]> = [
    ['fst m32', 'fst', 'fsts %[mout]', 'M_F32'],
    ['fstp m64', 'fst', 'fstpl %[mout]', 'M_F64'],
    ['fist m16', 'fist', 'fists %[mout]', 'M_I16'],
    ['fistp m32', 'fist', 'fistpl %[mout]', 'M_I32'],
    ['fistp m64', 'fist', 'fistpll %[mout]', 'M_I64'],
    ['fbstp m80', 'fbstp', 'fbstp %[mout]', 'M_BCD'],
  ];
  for (const [label, op, body, memOut] of stores)
    forms.push(one(label, op, [body], { memOut, results: 0, cases: 56 }));
  for (const constant of ['fld1', 'fldz', 'fldpi', 'fldl2e', 'fldl2t', 'fldlg2', 'fldln2']) {
    forms.push({
      label: constant,
      op: 'fld',
      body: [constant],
      loads: 0,
      results: 1,
      cases: 1,
      allControls: true,
    });
  }
  forms.push({ label: 'fxch st(1)', op: 'fxch', body: ['fxch %%st(1)'], loads: 2, results: 2, cases: 24 });
  forms.push({ label: 'fstp st(1)', op: 'fst', body: ['fstp %%st(1)'], loads: 2, results: 1, cases: 24 });
  for (const op of ['fchs', 'fabs', 'fxam', 'ftst'])
    forms.push(one(op, op, [op], { allControls: false, cases: 30 }));
  return forms;
}

function arithmeticForms(): FpuForm[] {
  const forms: FpuForm[] = [];
  for (const op of ['fadd', 'fsub', 'fsubr', 'fmul', 'fdiv', 'fdivr']) {
    forms.push({
      label: `${op} st,st(1)`,
      op,
      body: [`${op} %%st(1), %%st`],
      loads: 2,
      results: 2,
      grid: true,
      allControls: true,
    });
    forms.push({
      label: `${op} st(1),st`,
      op,
      body: [`${op} %%st, %%st(1)`],
      loads: 2,
      results: 2,
      cases: 40,
    });
    forms.push({
      label: `${op}p st(1),st`,
      op,
      body: [`${op}p %%st, %%st(1)`],
      loads: 2,
      results: 1,
      cases: 40,
    });
    forms.push(one(`${op} m32`, op, [`${op}s %[min]`], { memIn: 'M_F32', allControls: false }));
    forms.push(one(`${op} m64`, op, [`${op}l %[min]`], { memIn: 'M_F64', allControls: false }));
    const iop = `fi${op.slice(1)}`;
    forms.push(one(`${iop} m16`, iop, [`${iop}s %[min]`], { memIn: 'M_I16', allControls: false }));
    forms.push(one(`${iop} m32`, iop, [`${iop}l %[min]`], { memIn: 'M_I32', allControls: false }));
  }
  forms.push(one('fsqrt', 'fsqrt', ['fsqrt'], { cases: 60 }));
  forms.push(one('frndint', 'frndint', ['frndint'], { cases: 60 }));
  forms.push(one('fxtract', 'fxtract', ['fxtract'], { results: 2, cases: 60 }));
  forms.push({ label: 'fscale', op: 'fscale', body: ['fscale'], loads: 2, results: 2, grid: true });
  forms.push({ label: 'fprem', op: 'fprem', body: ['fprem'], loads: 2, results: 2, grid: true });
  forms.push({ label: 'fprem1', op: 'fprem1', body: ['fprem1'], loads: 2, results: 2, grid: true });
  return forms;
}

function transcendentalForms(): FpuForm[] {
  return [
    one('fsin', 'fsin', ['fsin'], { cases: 60 }),
    one('fcos', 'fcos', ['fcos'], { cases: 60 }),
    one('fsincos', 'fsincos', ['fsincos'], { results: 2, cases: 60 }),
    one('fptan', 'fptan', ['fptan'], { results: 2, cases: 60 }),
    one('f2xm1', 'f2xm1', ['f2xm1'], { kindA: 'UNIT', cases: 60 }),
    { label: 'fpatan', op: 'fpatan', body: ['fpatan'], loads: 2, results: 1, cases: 60, allControls: true },
    {
      label: 'fyl2x',
      op: 'fyl2x',
      body: ['fyl2x'],
      loads: 2,
      results: 1,
      kindA: 'POSITIVE',
      cases: 60,
      allControls: true,
    },
    {
      label: 'fyl2xp1',
      op: 'fyl2xp1',
      body: ['fyl2xp1'],
      loads: 2,
      results: 1,
      kindA: 'SMALL',
      cases: 60,
      allControls: true,
    },
  ];
}

function compareForms(): FpuForm[] {
  const forms: FpuForm[] = [];
  for (const op of ['fcom', 'fucom']) {
    forms.push({ label: `${op} st(1)`, op, body: [`${op} %%st(1)`], loads: 2, results: 2, grid: true });
    forms.push({ label: `${op}pp`, op, body: [`${op}pp`], loads: 2, results: 0, cases: 40 });
  }
  for (const op of ['fcomi', 'fucomi', 'fcomip', 'fucomip']) {
    forms.push({
      label: `${op} st(1)`,
      op,
      body: [`${op} %%st(1), %%st`],
      loads: 2,
      results: 1,
      grid: true,
      eflags: true,
    });
  }
  // The status word into AX (DF E0), without and with the wait prefix, as compilers use it after fcom.
  for (const store of ['fnstsw', 'fstsw']) {
    forms.push({
      label: `fcom st(1); ${store} ax`,
      op: 'fcom',
      body: ['fcom %%st(1)', `${store} %%ax`, 'movw %%ax, %[mout]'],
      loads: 2,
      results: 2,
      memOut: 'M_I16',
      cases: 24,
    });
  }
  forms.push(one('fcom m32', 'fcom', ['fcoms %[min]'], { memIn: 'M_F32', allControls: false }));
  forms.push(one('fcomp m64', 'fcom', ['fcompl %[min]'], { memIn: 'M_F64', allControls: false, results: 0 }));
  forms.push(one('ficom m16', 'ficom', ['ficoms %[min]'], { memIn: 'M_I16', allControls: false }));
  forms.push(
    one('ficomp m32', 'ficom', ['ficompl %[min]'], { memIn: 'M_I32', allControls: false, results: 0 }),
  );
  return forms;
}

export const x87Groups: readonly Group[] = [
  group('x87-load-store', loadStoreForms()),
  group('x87-arithmetic', arithmeticForms()),
  group('x87-transcendental', transcendentalForms(), TRANSCENDENTAL_ACCURACY),
  group('x87-compare', compareForms()),
];
