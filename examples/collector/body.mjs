/**
 * Reads a request body as UTF-8, keeping at most `maxBytes` in memory.
 *
 * Past the limit it stops collecting and resolves `{ tooLarge: true }` at once, so the caller can
 * answer 413 while the client is still sending; Node then discards the rest of the body (it is
 * never buffered) and the server's `requestTimeout` bounds a client that never stops.
 *
 * @param {import('node:http').IncomingMessage} req
 * @param {number} maxBytes
 * @returns {Promise<{ tooLarge: false, text: string, bytes: number } | { tooLarge: true, bytes: number }>}
 */
export function readBody(req, maxBytes) {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.resolve({ tooLarge: true, bytes: declared });
  }
  return new Promise((resolve, reject) => {
    const chunks = [];
    let bytes = 0;
    const onData = (chunk) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        req.off('data', onData);
        req.off('end', onEnd);
        resolve({ tooLarge: true, bytes });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve({ tooLarge: false, text: Buffer.concat(chunks).toString('utf8'), bytes });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
    // 'close' also follows a normal 'end'; rejecting an already settled promise does nothing.
    req.on('close', () => reject(new Error('request aborted')));
  });
}
