import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { showPath } from '../terminal/show-path.ts';
import { UsageError } from '../cli/usage-error.ts';
import { writeReport, NotARunError } from '../report/index.ts';
import { serve } from '../serve/index.ts';

/** `report <run dir>`: (re)writes the run's report.html */
export async function reportCommand(positionals: string[], out: NodeJS.WritableStream): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('report needs one argument: a run folder (e.g. npm run jepsen -- report store/latest)');
  const dir = resolve(positionals[0]!);
  if (!existsSync(dir)) throw new UsageError(`report: ${positionals[0]} does not exist; give a run folder (store/<test>/<time>)`);
  let path: string;
  try { path = await writeReport(dir); } catch (e) {
    if (e instanceof NotARunError) throw new UsageError(`report: ${(e as Error).message}`);
    throw e;
  }
  out.write(`wrote ${showPath(path)}\n`);
  return 0;
}

/** `serve [--port N]`: browse stored runs until Ctrl-C */
export async function serveCommand(flags: Record<string, string | true>): Promise<number> {
  const port = typeof flags.port === 'string' ? Number(flags.port) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected a port number 0-65535, got "${flags.port}"`);
  const store = typeof flags.store === 'string' ? flags.store : './store';
  let served: { url: string; close(): Promise<void> };
  try { served = await serve({ store, port }); } catch (e) {
    if (/already in use/.test((e as Error).message)) throw new UsageError(`serve: ${(e as Error).message}`);
    throw e;
  }
  process.stdout.write(`serving the runs in ${showPath(resolve(store))} at ${served.url} (Ctrl-C stops)\n`);
  const stop = () => { void served.close().then(() => process.exit(0)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}
