/**
 * Generators for stack-frame and loop instructions run with a whole register file (STATE_RUN): enter
 * (levels 0..5 over a fake chain of frames) and leave, pusha/popa in both operand sizes, and the loop
 * family (loop, loope, loopne, jecxz, and their cx forms through the 0x67 prefix). Stack addresses differ
 * between the host and the emulator, so everything stack-relative is printed relative to ESP.
 */
import { cName, cProgram, cString, type Group } from './c-program.js';

const ENTER_LEVELS = [0, 1, 2, 3, 5];
const ENTER_SIZES = [0, 16, 0x1234];
const STATES_PER_FORM = 6;

/**
 * The fake caller frames that enter copies frame pointers from, and where the bodies park results with
 * absolute addressing (every register is under test, so none can hold a pointer).
 */
const SCRATCH = `static u32 fake_frames[64];
/* Not static: the asm bodies name them, and static objects may be renamed or dropped. */
u32 scratch[16];
u32 esp_before;
static void fill_fake_frames(void) {
  for (u32 i = 0; i < 64; i++) fake_frames[i] = 0x10000000u + i * 0x01010101u;
}
static void report_scratch(u32 words) {
  out_s(" stack:");
  for (u32 i = 0; i < words; i++) out_kv("w", scratch[i], 32);
  out_nl();
}`;

/**
 * enter $size, $level then leave. Recorded relative to the ESP before enter: the new EBP, the new ESP, the
 * ESP after leave, and the level+1 words enter pushed at and below the new EBP (the copied frame pointers;
 * the last one is the new frame's own address, also made relative).
 */
function enterFunction(size: number, level: number): string {
  const label = `enter $${size},$${level}; leave`;
  const copies: string[] = [];
  for (let i = 0; i <= level; i++)
    copies.push(`movl -${4 * i}(%%ebp), %%eax`, `movl %%eax, scratch+${12 + 4 * i}`);
  const body = [
    'movl %%esp, esp_before',
    `enter $${size}, $${level}`,
    ...copies,
    'movl %%ebp, scratch',
    'movl %%esp, scratch+4',
    'leave',
    'movl %%esp, scratch+8',
    // eax carried the copies, the last of them a stack address: clear it so the register file compares.
    'movl $0, %%eax',
  ].join('\\n\\t');
  return `static void ${cName(label)}(void) {
  for (u32 i = 0; i < ${STATES_PER_FORM}; i++) {
    struct state in, out;
    random_state(&in, i & 1 ? STATUS_FLAGS : 0);
    in.ebp = (u32)(fake_frames + 32);
    out = in;
    STATE_RUN(&out, "${body}");
    for (u32 w = 0; w < 3; w++) scratch[w] -= esp_before;
    if (${level} > 0) scratch[${12 / 4 + level}] -= esp_before;
    out_state_pair(${cString(label)}, &in, &out, STATUS_FLAGS);
    report_scratch(${3 + level + 1});
  }
}`;
}

/** pusha then copy the pushed words out; the pushed ESP is made relative to the ESP before pusha. */
function pushaFunction(width: 16 | 32): string {
  const label = width === 32 ? 'pushal' : 'pushaw';
  const unit = width / 8;
  const copies: string[] = [];
  for (let i = 0; i < 8; i++) {
    copies.push(width === 32 ? `popl scratch+${4 * i}` : `popw scratch+${4 * i}`);
  }
  const body = ['movl %%esp, esp_before', label, ...copies].join('\\n\\t');
  return `static void ${cName(label)}(void) {
  for (u32 i = 0; i < ${STATES_PER_FORM}; i++) {
    struct state in, out;
    random_state(&in, i & 1 ? STATUS_FLAGS : 0);
    for (u32 w = 0; w < 8; w++) scratch[w] = 0;
    out = in;
    STATE_RUN(&out, "${body}");
    /* Words come off the stack as EDI ESI EBP ESP EBX EDX ECX EAX: the fourth is the pushed ESP. */
    scratch[3] = (scratch[3] - esp_before) & ${width === 32 ? '0xffffffffu' : '0xffffu'};
    (void)${unit};
    out_state_pair(${cString(label)}, &in, &out, STATUS_FLAGS);
    report_scratch(8);
  }
}`;
}

/** popa from eight words prepared in scratch (the ESP slot must be ignored). */
function popaFunction(width: 16 | 32): string {
  const label = width === 32 ? 'popal' : 'popaw';
  const pushes: string[] = [];
  for (let i = 7; i >= 0; i--)
    pushes.push(width === 32 ? `pushl scratch+${4 * i}` : `pushw scratch+${4 * i}`);
  const body = [...pushes, label].join('\\n\\t');
  return `static void ${cName(label)}(void) {
  for (u32 i = 0; i < ${STATES_PER_FORM}; i++) {
    struct state in, out;
    random_state(&in, i & 1 ? STATUS_FLAGS : 0);
    for (u32 w = 0; w < 8; w++) scratch[w] = rng_next();
    out = in;
    STATE_RUN(&out, "${body}");
    report_state(${cString(label)}, &in, &out, STATUS_FLAGS);
  }
}`;
}

/** A loop-family branch: eax ends 1 when the branch fell through, 0 when it was taken (mov keeps flags). */
function loopFunction(label: string, instruction: string): string {
  const body = ['movl $0, %%eax', `${instruction} 1f`, 'movl $1, %%eax', '1:'].join('\\n\\t');
  return `static void ${cName(label)}(void) {
  static const u32 counts[] = {0, 1, 2, 0xffff, 0x10000, 0x10001, 0xffffffffu};
  for (u32 c = 0; c < COUNT_OF(counts); c++)
    for (u32 z = 0; z < 2; z++) {
      struct state in, out;
      random_state(&in, z ? (STATUS_FLAGS & ~ZF) | ZF : CF);
      in.ecx = counts[c];
      out = in;
      STATE_RUN(&out, "${body}");
      report_state(${cString(label)}, &in, &out, STATUS_FLAGS);
    }
}`;
}

const LOOPS: ReadonlyArray<[string, string]> = [
  ['loop', 'loop'],
  ['loope', 'loope'],
  ['loopne', 'loopne'],
  ['jecxz', 'jecxz'],
  // 0x67 makes the loop family count in CX; gas spells jcxz itself, the others need the prefix byte.
  ['jcxz', 'jcxz'],
  ['loop (cx)', '.byte 0x67\\n\\tloop'],
  ['loope (cx)', '.byte 0x67\\n\\tloope'],
  ['loopne (cx)', '.byte 0x67\\n\\tloopne'],
];

function stackGroup(): Group {
  const fns = [SCRATCH];
  const calls = ['fill_fake_frames();'];
  for (const size of ENTER_SIZES) {
    for (const level of ENTER_LEVELS) {
      fns.push(enterFunction(size, level));
      calls.push(`${cName(`enter $${size},$${level}; leave`)}();`);
    }
  }
  for (const width of [32, 16] as const) {
    fns.push(pushaFunction(width), popaFunction(width));
    calls.push(
      `${cName(width === 32 ? 'pushal' : 'pushaw')}();`,
      `${cName(width === 32 ? 'popal' : 'popaw')}();`,
    );
  }
  for (const [label, instruction] of LOOPS) {
    fns.push(loopFunction(label, instruction));
    calls.push(`${cName(label)}();`);
  }
  return { name: 'enter-leave-pusha-loop', source: cProgram(fns, calls) };
}

export const stackGroups: readonly Group[] = [stackGroup()];
