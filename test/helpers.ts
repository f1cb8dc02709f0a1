import type { Batch, SendResult, Transport } from '../src/core/types';

/** A transport that records every batch and answers with `answer` (default: delivered). */
export function captureTransport(answer: (batch: Batch, unloading: boolean) => SendResult | Promise<SendResult> = () => ({ ok: true })) {
  const batches: Batch[] = [];
  const exits: Batch[] = [];
  const transport: Transport = {
    async send(batch, { unloading }) {
      (unloading ? exits : batches).push(batch);
      return answer(batch, unloading);
    },
  };
  return { transport, batches, exits, events: () => batches.flatMap((b) => b.events) };
}

let n = 0;
/** A namespace no other test uses, so that IndexedDB and localStorage start empty. */
export const freshNamespace = () => `t${Date.now().toString(36)}${n++}`;
