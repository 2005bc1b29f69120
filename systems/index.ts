/** The built-in systems under test, by name (`--system NAME`); a user's own is `--system PATH`. */
import type { System } from '../api/system.ts';
import { maep } from './maep/index.ts';
import { etcd } from './etcd/index.ts';
import { redis } from './redis/index.ts';

export const BUILTIN_SYSTEMS: Readonly<Record<string, System>> = { maep, etcd, redis };
