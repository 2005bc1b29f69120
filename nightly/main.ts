/**
 * `npm run nightly [-- --matrix FILE --store DIR --budget-minutes N]`: runs every cell of the matrix
 * within the time budget, reruns unexpected failures once with the same seed, and writes
 * store/nightly/<date>/index.html (+ summary.json for the next night's trend).
 * Exit code follows the harness: 1 unexpected failure, 2 unknown, 0 all as expected, 254 bad input.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MatrixError, cellArgv, expandMatrix, parseMatrix, skippedRuntimes, type Cell, type Matrix } from './matrix.ts';
import { nightlyExitCode, renderSummaryHtml, statusFromExit, type CellOutcome, type NightlySummary } from './summary.ts';
import { runCell } from './run-cell.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm run nightly -- [--matrix FILE] [--store DIR] [--budget-minutes N] [--id NAME]
  --matrix FILE        matrix YAML (default nightly/matrix.yaml)
  --store DIR          store folder (default ./store); the summary goes to DIR/nightly/<date>/
  --budget-minutes N   total time budget (default: the matrix's budgetMinutes)
  --id NAME            summary folder name (default: today's date, with a time suffix if taken)`;

function fail(msg: string): never {
  console.error(`nightly: ${msg}`);
  process.exit(254);
}

/** Which runtimes answer on this machine: true, or why not. */
async function availableRuntimes(): Promise<Record<string, string | true>> {
  const out: Record<string, string | true> = { local: true, sim: 'the sim runtime is not built yet' };
  const dockerIndex = join(repoRoot, 'docker/index.ts');
  if (!existsSync(dockerIndex)) {
    out.docker = 'the docker runtime is not built yet';
  } else {
    try {
      const mod = (await import(pathToFileURL(dockerIndex).href)) as { dockerAvailable?: () => Promise<{ ok: boolean; why: string }> };
      const a = await mod.dockerAvailable?.();
      out.docker = a?.ok ? true : (a?.why ?? 'no docker engine answers');
    } catch (e) {
      out.docker = `docker runtime failed to load: ${(e as Error).message}`;
    }
  }
  return out;
}

function summaryId(nightlyDir: string, given?: string): string {
  if (given) return given;
  const now = new Date();
  const date = now.toISOString().slice(0, 10);
  if (!existsSync(join(nightlyDir, date))) return date;
  return `${date}T${now.toISOString().slice(11, 19).replace(/:/g, '')}`;
}

function previousSummary(nightlyDir: string, currentId: string): NightlySummary | undefined {
  if (!existsSync(nightlyDir)) return undefined;
  const ids = readdirSync(nightlyDir)
    .filter((d) => d < currentId && existsSync(join(nightlyDir, d, 'summary.json')))
    .sort();
  const last = ids.at(-1);
  return last ? (JSON.parse(readFileSync(join(nightlyDir, last, 'summary.json'), 'utf8')) as NightlySummary) : undefined;
}

async function main(): Promise<number> {
  let flags;
  try {
    flags = parseArgs({
      options: {
        matrix: { type: 'string', default: join(repoRoot, 'nightly/matrix.yaml') },
        store: { type: 'string', default: './store' },
        'budget-minutes': { type: 'string' },
        id: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  if (!existsSync(flags.matrix!)) fail(`matrix file ${flags.matrix} does not exist; pass --matrix FILE`);
  let matrix: Matrix;
  try {
    matrix = parseMatrix(readFileSync(flags.matrix!, 'utf8'), flags.matrix);
  } catch (e) {
    if (e instanceof MatrixError) fail(e.message);
    throw e;
  }
  if (flags['budget-minutes'] !== undefined) {
    const b = Number(flags['budget-minutes']);
    if (!(b > 0)) fail(`--budget-minutes must be a positive number, got "${flags['budget-minutes']}"`);
    matrix.budgetMinutes = b;
  }

  const store = resolve(flags.store!);
  const nightlyDir = join(store, 'nightly');
  const id = summaryId(nightlyDir, flags.id);
  const summaryDir = join(nightlyDir, id);
  mkdirSync(summaryDir, { recursive: true });

  const available = await availableRuntimes();
  const availableNames = Object.keys(available).filter((r) => available[r] === true);
  const cells = expandMatrix(matrix, availableNames, () => Math.floor(Math.random() * 2 ** 31));
  const summary: NightlySummary = {
    id,
    startedAt: new Date().toISOString(),
    endedAt: '',
    matrixFile: flags.matrix!,
    cells: [],
    skippedRuntimes: skippedRuntimes(matrix, available),
    budgetSkipped: [],
  };
  for (const s of summary.skippedRuntimes) console.log(`nightly: runtime ${s.runtime} skipped: ${s.why}`);
  console.log(`nightly: ${cells.length} cells, budget ${matrix.budgetMinutes} min, summary in ${summaryDir}`);

  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const deadline = performance.now() + matrix.budgetMinutes * 60_000;
  // a cell needs its time limit plus cluster start, recovery and checks
  const cellBudgetMs = (cell: Cell) => ((cell.timeLimitS ?? matrix.timeLimitS) + 60) * 1000;
  const run = (cell: Cell, suffix = '') =>
    runCell({
      repoRoot,
      argv: cellArgv(cell, matrix, join(summaryDir, 'cells', cell.id + suffix)),
      cellStore: join(summaryDir, 'cells', cell.id + suffix),
      summaryDir,
      timeoutMs: cellBudgetMs(cell) * 2,
      signal: abort.signal,
    });

  for (const [i, cell] of cells.entries()) {
    if (abort.signal.aborted || performance.now() + cellBudgetMs(cell) > deadline) {
      summary.budgetSkipped.push(...cells.slice(i).map((c) => c.id));
      break;
    }
    console.log(`nightly: [${i + 1}/${cells.length}] ${cell.id}`);
    const first = await run(cell);
    const outcome: CellOutcome = { cell, status: statusFromExit(first.exitCode), run: first };
    if (outcome.status === 'unexpected' && !abort.signal.aborted) {
      console.log(`nightly: ${cell.id} failed unexpectedly; rerunning once with seed ${cell.seed}`);
      const again = await run(cell, '-rerun');
      outcome.rerun = { ...again, reproduced: statusFromExit(again.exitCode) === 'unexpected' };
    }
    console.log(`nightly: ${cell.id}: ${outcome.status}${outcome.rerun ? (outcome.rerun.reproduced ? ' (reproduced)' : ' (did not reproduce)') : ''}`);
    summary.cells.push(outcome);
  }

  summary.endedAt = new Date().toISOString();
  const previous = previousSummary(nightlyDir, id);
  writeFileSync(join(summaryDir, 'summary.json'), JSON.stringify(summary, null, 2));
  writeFileSync(join(summaryDir, 'index.html'), renderSummaryHtml(summary, previous));
  const code = nightlyExitCode(summary);
  console.log(`nightly: wrote ${join(summaryDir, 'index.html')}; exit ${code}`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`nightly: crashed: ${(e as Error).stack ?? e}`);
    process.exit(255);
  },
);
