/**
 * Clock skew through libfaketime: LD_PRELOAD in every container, reading a timestamp file that the
 * runtime rewrites (a relative offset, or a frozen instant for freezeClock). Monotonic clocks stay
 * real (a node's timers use them), and the file is re-read at most once a second (reading it on every
 * Date.now() would be slow).
 */
export const FAKETIME_DIR = '/splitbrain';
export const FAKETIME_FILE = `${FAKETIME_DIR}/faketime`;

export function faketimeEnv(libPath: string): string[] {
  return [
    `LD_PRELOAD=${libPath}`,
    `FAKETIME_TIMESTAMP_FILE=${FAKETIME_FILE}`,
    'FAKETIME_CACHE_DURATION=1',
    'FAKETIME_DONT_FAKE_MONOTONIC=1',
  ];
}
