/**
 * maep, the replica node: `npx tsx node/main.ts --id n1 --listen 127.0.0.1:7001 --http 127.0.0.1:8001
 * --peers n2@127.0.0.1:7002,n3@127.0.0.1:7003 --data DIR`. Prints "maep <id> ready http=… peer=…"
 * on stdout once serving; a bad flag prints one line and exits 2; SIGTERM/SIGINT shut down cleanly
 * (log flushed and closed) with exit 0.
 */
import { ConfigError, loadConfig, usage } from './config.ts';
import { startNode } from './shell/server.ts';

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = loadConfig(process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`maep: ${e.message}\n`); process.exit(2); }
    throw e;
  }
  if ('help' in cfg) { process.stdout.write(usage() + '\n'); return; }
  let node;
  try {
    node = await startNode(cfg);
  } catch (e) {
    process.stderr.write(`maep: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`maep ${node.id} ready http=${node.httpAddr} peer=${node.peerAddr}\n`);
  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    if (cfg.logLevel === 'info' || cfg.logLevel === 'debug') process.stderr.write(`${new Date().toISOString()} ${node.id} info ${sig}: shutting down\n`);
    const force = setTimeout(() => { process.stderr.write('maep: shutdown took over 5 s; exiting anyway\n'); process.exit(1); }, 5000);
    force.unref();
    node.close().then(() => process.exit(0), (e: Error) => { process.stderr.write(`maep: error during shutdown: ${e.message}\n`); process.exit(1); });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

process.on('uncaughtException', (e) => { process.stderr.write(`maep: CRASH uncaught exception: ${e.stack ?? e}\n`); process.exit(70); });
process.on('unhandledRejection', (e) => { process.stderr.write(`maep: CRASH unhandled rejection: ${(e as Error)?.stack ?? e}\n`); process.exit(70); });
await main();
