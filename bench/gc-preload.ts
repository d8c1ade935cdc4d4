/**
 * Preloaded (`--require`) into bench worker processes. The Temporal worker runs workflows in a worker
 * thread with its own V8 heap, which a `gc()` on the main thread does not touch and which
 * process.memoryUsage() on the main thread does not report. In that thread, this listens on a
 * BroadcastChannel: on request it runs a full GC (`--expose-gc` is inherited) and answers the thread's
 * heap usage. It does nothing on the main thread.
 */
import { isMainThread, threadId } from 'node:worker_threads';

export const GC_CHANNEL = 'case-orchestrator-bench-gc';

export interface ThreadHeap {
  threadId: number;
  heapUsed: number;
  requestId: number;
}

if (!isMainThread) {
  const channel = new BroadcastChannel(GC_CHANNEL);
  // Never keep the workflow thread alive on our account.
  channel.unref();
  channel.onmessage = (event: MessageEvent) => {
    const { requestId, gc } = event.data as { requestId: number; gc: boolean };
    if (gc && typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
    }
    channel.postMessage({ threadId, heapUsed: process.memoryUsage().heapUsed, requestId } satisfies ThreadHeap);
  };
}
