/**
 * The Docker engine client and the labels that mark everything splitbrain creates.
 * dockerode reads DOCKER_HOST
 * (unix://, tcp:// with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, ssh://) like the docker CLI does,
 * so a remote engine needs no code change here.
 */
import Docker from 'dockerode';
import { hostname } from 'node:os';

/** every container and network of a run carries this label with the run id */
export const RUN_LABEL = 'splitbrain.run';
export const NODE_LABEL = 'splitbrain.node';
/** pid + host of the harness that owns a run: a later run may reap runs whose owner is dead */
export const OWNER_LABEL = 'splitbrain.owner';

let client: Docker | undefined;
export function docker(): Docker {
  client ??= new Docker();
  return client;
}

export function ownerLabel(): string {
  return `${hostname()}:${process.pid}`;
}

/** Is the engine local (unix socket on this machine)? Then bind mounts and nsenter work. */
export function engineIsLocal(): boolean {
  const h = process.env.DOCKER_HOST;
  return !h || h.startsWith('unix://');
}

/** Ping the engine with a short timeout; never throws. */
export async function dockerAvailable(timeoutMs = 1500): Promise<{ ok: boolean; why: string }> {
  const d = docker();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([d.ping(), timeout]);
    const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    return { ok: true, why: `docker engine answers at ${where}` };
  } catch (e) {
    const where = process.env.DOCKER_HOST ?? '/var/run/docker.sock';
    return { ok: false, why: `docker engine at ${where} does not answer: ${(e as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}
