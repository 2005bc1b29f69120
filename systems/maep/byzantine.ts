import type { SystemFaultFactory } from '../../api/fault.ts';
export const MAEP_FAULTS: Record<string, SystemFaultFactory> = {};
