/** maep passes the system conformance suite on the local runtime (processes on 127.0.0.1). */
import { maep } from '../maep/index.ts';
import { LocalRuntime } from '../../runtimes/local/index.ts';
import { systemConformance } from './conformance.ts';

systemConformance(maep, () => new LocalRuntime({ readyTimeoutMs: 30_000 }), { label: 'local' });
