/** What `cluster status` reports of a detached cluster, whichever runtime holds it (local, netns, docker). */

export interface DetachedNodeStatus {
  id: string;
  /** the node's address and its ports by the system's names */
  host: string;
  ports: Record<string, number>;
  pid: number | null;
  /** the node's process (or container) runs */
  running: boolean;
  /** the system's readiness probe says it serves */
  answering: boolean;
  /** why it is not answering, when it is not */
  detail?: string;
}

export interface ClusterStatus {
  up: boolean;
  stateFile: string;
  /** which runtime's daemon holds it (local and netns clusters) */
  kind?: string;
  system?: string;
  daemonPid?: number;
  runDir?: string;
  startedAt?: string;
  mechanisms?: Record<string, string>;
  nodes: DetachedNodeStatus[];
}
