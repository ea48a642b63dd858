// Entry of the analysis worker thread (dist/analysisWorker.js): answers the main thread's requests in
// order, so a query always sees the analysis requested before it. The extension host's own event
// loop stays free while a large workspace is simulated.
import { parentPort } from 'node:worker_threads';
import type { RequestEnvelope, ResponseEnvelope } from './protocol';
import { AnalysisService } from './service';

const service = new AnalysisService();
const port = parentPort;
if (!port) throw new Error('analysisWorker.js runs as a worker thread of the extension, not on its own');

/** How long the worker waits after a folder's first analysis before building its map: the queries that follow an analysis (lenses, hovers) go first. */
const PREPARE_AFTER_MS = 150;
let prepare: ReturnType<typeof setTimeout> | undefined;
/** The folders whose map is to be built once the worker is idle. */
const toPrepare = new Set<string>();

function armPrepare(): void {
  if (prepare) clearTimeout(prepare);
  prepare = undefined;
  if (toPrepare.size === 0) return;
  prepare = setTimeout(() => {
    prepare = undefined;
    const [folder] = toPrepare;
    if (folder === undefined) return;
    toPrepare.delete(folder);
    try {
      service.prepareTopology(folder);
    } catch {
      // Only a head start: the query that asks for the map builds it again and reports its failure.
    }
    armPrepare();
  }, PREPARE_AFTER_MS);
}

port.on('message', ({ id, request }: RequestEnvelope) => {
  let response: ResponseEnvelope;
  try {
    response = { id, ok: true, result: service.handle(request) };
  } catch (err) {
    response = { id, ok: false, error: (err as Error).stack ?? String(err) };
  }
  try {
    port.postMessage(response);
  } catch (err) {
    // A result that cannot be cloned is a bug here, not a reason to leave the request unanswered.
    port.postMessage({
      id,
      ok: false,
      error: `the analysis worker could not send its answer: ${(err as Error).message}`,
    } satisfies ResponseEnvelope);
  }
  // A folder just opened (or the worker restarted): build its topology map while nothing is asked,
  // so Show Topology finds it ready. Not after the analyses of edits, which follow one another while
  // the user types (a panel that is open asks for the map after each anyway). A request that comes
  // while it is built waits for it: the time shows in that request's own, the map's included.
  if (request.type === 'analyze' && request.reset && response.ok) toPrepare.add(request.folder);
  if (request.type === 'forget') toPrepare.delete(request.folder);
  // Each request puts the build off again: it runs once the worker has been idle for a moment.
  armPrepare();
});

// Loaded: from now on a failure is the work's, not the start-up's (see AnalysisClient).
port.postMessage({ ready: true });
