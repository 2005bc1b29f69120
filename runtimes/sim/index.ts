export { SimRuntime, SIM_MECHANISMS, type SimOptions } from './runtime.ts';
export { Scheduler } from './scheduler.ts';
export { DEFAULT_NET, type NetOptions } from './network.ts';
