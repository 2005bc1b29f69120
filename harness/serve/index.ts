/** The run browser (issue 8): `npm run jepsen -- serve [--port]` lists every stored run. */
export { serve, type ServeOptions, type Served } from './server.ts';
export { listRuns, type RunSummary } from './runs.ts';
export { renderIndex, filterRuns } from './index-page.ts';
