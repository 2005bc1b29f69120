import type { NodeEndpoint } from '../../api/runtime.ts';

/** maep's two ports: peers dial `peer` (the binary protocol), clients and probes use `client` (HTTP) */
export const PORTS = { peer: 7000, client: 8000 } as const;

/** the node's HTTP API as the harness reaches it */
export function baseUrl(node: NodeEndpoint): string {
  return `http://${node.host}:${node.ports.client}`;
}
