/**
 * Generator for the string instructions movs stos lods cmps scas in 8/16/32-bit element sizes, without a
 * prefix and with rep / repe / repne, with DF clear (upwards) and set (downwards), over counts 0..5 and
 * mismatch positions that stop repe/repne early. Each case prints both register files (esi/edi point into
 * static buffers, so they are equal on both CPUs) and the destination buffer around the start.
 */
import { cName, cProgram, cString, type Group } from './c-program.js';

const ELEMENT_SUFFIXES = [
  ['b', 1],
  ['w', 2],
  ['l', 4],
] as const;
const COUNTS = [0, 1, 2, 5];
/** Element index (along the direction) where the buffers differ (repe) or agree (repne); 9 = nowhere in reach. */
const STOP_POSITIONS = [0, 1, 3, 9];

const BUFFERS = `#define STRING_MIDDLE 256
#define WINDOW_BYTES 40
static u8 src_buf[512], dst_buf[512];
/* Fills src with A and dst with B everywhere except element \`stop\` along the direction, where dst gets
 * the other value: with equal A and B this makes exactly one mismatch, with different ones one match. */
static void fill_strings(u32 size, u32 df, u32 stop, u8 a, u8 b) {
  for (u32 i = 0; i < sizeof src_buf; i++) {
    src_buf[i] = a;
    dst_buf[i] = b;
  }
  s32 at = STRING_MIDDLE + (df ? -(s32)stop : (s32)stop) * (s32)size;
  for (u32 i = 0; i < size; i++) dst_buf[at + i] = a == b ? (u8)(a ^ 0x81) : a;
}
static void string_case(const char *label, void (*run)(struct state *), u32 size, u32 count, u32 df, u32 stop, u8 a, u8 b, u32 status) {
  fill_strings(size, df, stop, a, b);
  for (u32 i = 0; i < sizeof src_buf; i++) src_buf[i] ^= (u8)(i * 13);
  if (a == b) for (u32 i = 0; i < sizeof dst_buf; i++) dst_buf[i] ^= (u8)(i * 13);
  struct state in, out;
  random_state(&in, status | (df ? DF : 0));
  in.ecx = count;
  in.esi = (u32)(src_buf + STRING_MIDDLE);
  in.edi = (u32)(dst_buf + STRING_MIDDLE);
  /* scas compares with the accumulator: the value at the stop position (repne) or elsewhere (repe). */
  u32 element = 0;
  for (u32 i = 0; i < size; i++) element |= (u32)dst_buf[STRING_MIDDLE + (df ? -(s32)stop : (s32)stop) * (s32)size + i] << (8 * i);
  in.eax = a == b ? element ^ 0x81818181u : element;
  out = in;
  run(&out);
  out_s(label);
  out_kv("n", count, 8);
  out_kv("stop", stop, 8);
  out_state_pair("", &in, &out, STATUS_FLAGS);
  out_bytes("dst", dst_buf + STRING_MIDDLE - WINDOW_BYTES, 2 * WINDOW_BYTES);
  out_nl();
}`;

function runner(label: string, instruction: string): string {
  return `static void ${cName(label)}(struct state *s) { STATE_RUN(s, "${instruction}"); }`;
}

function stringGroup(): Group {
  const fns = [BUFFERS];
  const calls: string[] = [];
  for (const [suffix, size] of ELEMENT_SUFFIXES) {
    const forms: Array<[string, boolean]> = [
      [`movs${suffix}`, true],
      [`stos${suffix}`, true],
      [`lods${suffix}`, true],
      [`cmps${suffix}`, false],
      [`scas${suffix}`, false],
    ];
    for (const [op, repOnly] of forms) {
      const prefixes = repOnly ? ['', 'rep '] : ['', 'repe ', 'repne '];
      for (const prefix of prefixes) {
        const label = `${prefix}${op}`;
        fns.push(runner(label, label));
        const counts = prefix === '' ? [3] : COUNTS;
        const stops = repOnly ? [9] : STOP_POSITIONS;
        // repne looks for a match (buffers differ except at stop), repe for a mismatch.
        const [a, b] = prefix === 'repne ' ? ['0x3c', '0xc3'] : ['0x3c', '0x3c'];
        calls.push(`for (u32 df = 0; df < 2; df++)
    for (u32 c = 0; c < ${counts.length}; c++)
      for (u32 s = 0; s < ${stops.length}; s++) {
        static const u32 counts[] = {${counts.join(', ')}}, stops[] = {${stops.join(', ')}};
        string_case(${cString(label)}, ${cName(label)}, ${size}, counts[c], df, stops[s], ${a}, ${b}, (c & 1) ? STATUS_FLAGS : 0);
      }`);
      }
    }
  }
  return { name: 'string-ops', source: cProgram(fns, calls) };
}

export const stringGroups: readonly Group[] = [stringGroup()];
