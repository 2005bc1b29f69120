/**
 * Opening `--data DIR` at start: the log (ops.log) and the snapshot (snapshot.bin) together, and
 * the one decision that needs both — can the node start, and from what? A damaged or missing
 * snapshot is never passed over silently: when the log was rewritten by compaction (it starts with
 * a base record, or is damaged too) the ops the snapshot stood for may be nowhere else on this
 * disk, so the node refuses to start with a message naming the file and what to do; when the log
 * still holds every op (no compaction finished yet) the damaged file is moved aside and reported,
 * and the node starts from the log alone.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { covers, frontierOps, type Snapshot } from '../core/snapshot.ts';
import { OpLog, type FsyncPolicy, type Recovery } from './log.ts';
import { readSnapshot, SnapshotDamage, SNAPSHOT_FILE } from './snapshot-file.ts';

export interface OpenedData {
  log: OpLog;
  recovery: Recovery;
  snapshot: { snapshot: Snapshot; bytes: number } | null;
  /** loud lines for stderr (a damaged snapshot moved aside) */
  warnings: string[];
}

export class DataRefused extends Error {}

export async function openData(dir: string, policy: FsyncPolicy, truncateOnCorruption: boolean): Promise<OpenedData> {
  const { log, recovery } = await OpLog.open(dir, policy, truncateOnCorruption);
  const path = join(dir, SNAPSHOT_FILE);
  const compacted = recovery.base !== null && frontierOps(recovery.base) > 0;
  const warnings: string[] = [];
  let snapshot: OpenedData['snapshot'] = null;
  try {
    snapshot = readSnapshot(dir);
  } catch (e) {
    if (!(e instanceof SnapshotDamage)) { await log.close(); throw e; }
    // a damaged log may have lost its base record too: then it cannot vouch for holding every op
    if (compacted || recovery.corruption) {
      await log.close();
      const why = compacted ? 'ops.log holds only the ops above it' : 'ops.log is damaged as well, so it cannot show it still holds every op';
      throw new DataRefused(`${e.message}; ${why}, so starting would lose acknowledged writes. Restore ${path} from a backup, or move ${dir} away to start this node empty and take a snapshot from its peers`);
    }
    const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(path, aside);
    warnings.push(`SNAPSHOT DAMAGED: ${e.message}; ops.log still holds every op, so this node starts from the log alone; the damaged file was moved to ${aside}`);
  }
  if (compacted && !snapshot) {
    await log.close();
    throw new DataRefused(`${path} is missing but ops.log was compacted (it holds only the ops above a snapshot), so starting would lose acknowledged writes. Put the snapshot back, or move ${dir} away to start this node empty and take a snapshot from its peers`);
  }
  if (snapshot && recovery.base && !covers(snapshot.snapshot.frontier, recovery.base)) {
    await log.close();
    throw new DataRefused(`${path} is older than ops.log (it does not cover the ops the log was cut at), so the ops between are on neither; restore the matching snapshot, or move ${dir} away to start this node empty and take a snapshot from its peers`);
  }
  return { log, recovery, snapshot, warnings };
}
