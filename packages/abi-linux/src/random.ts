// getrandom(2) flags. Layer: abi (data only, imports nothing). Written from the Linux UAPI <linux/random.h>;
// random.test.ts checks each value.

export const GRND_NONBLOCK = 0x0001;
export const GRND_RANDOM = 0x0002;
export const GRND_INSECURE = 0x0004;
