/** The README's example system (examples/tiny-kv) passes the system conformance suite too. */
import tinyKv from '../../examples/tiny-kv/system.ts';
import { LocalRuntime } from '../../runtimes/local/index.ts';
import { systemConformance } from './conformance.ts';

systemConformance(tinyKv, () => new LocalRuntime({ readyTimeoutMs: 30_000 }), { label: 'local' });
