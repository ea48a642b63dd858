// Entry of the analysis worker thread (dist/analysisWorker.js): answers the main thread's requests in
// order, so a query always sees the analysis requested before it. The extension host's own event
// loop stays free while a large workspace is simulated.
import { parentPort } from 'node:worker_threads';
import type { RequestEnvelope, ResponseEnvelope } from './protocol';
import { AnalysisService } from './service';

const service = new AnalysisService();
const port = parentPort;
if (!port) throw new Error('analysisWorker.js runs as a worker thread of the extension, not on its own');

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
});

// Loaded: from now on a failure is the work's, not the start-up's (see AnalysisClient).
port.postMessage({ ready: true });
