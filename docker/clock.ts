/**
 * Clock skew through libfaketime: LD_PRELOAD in every container, reading a relative offset from a
 * timestamp file that the runtime rewrites. Monotonic clocks stay real (maep's timers use them), and
 * the file is re-read at most once a second (reading it on every Date.now() would be slow).
 */
export const FAKETIME_DIR = '/splitbrain';
export const FAKETIME_FILE = `${FAKETIME_DIR}/faketime`;

/** libfaketime's timestamp-file syntax for a relative offset: "+1.500" / "-60.000" seconds */
export function faketimeSpec(offsetMs: number): string {
  const s = (Math.abs(offsetMs) / 1000).toFixed(3);
  return `${offsetMs < 0 ? '-' : '+'}${s}\n`;
}

export function faketimeEnv(libPath: string): string[] {
  return [
    `LD_PRELOAD=${libPath}`,
    `FAKETIME_TIMESTAMP_FILE=${FAKETIME_FILE}`,
    'FAKETIME_CACHE_DURATION=1',
    'FAKETIME_DONT_FAKE_MONOTONIC=1',
  ];
}
