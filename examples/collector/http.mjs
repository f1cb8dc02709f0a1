// Small HTTP helpers shared by the collector's routes (and by routes other modules add).

/**
 * Sends a JSON response. Never cached: tests read /v1/events repeatedly.
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string | number>} [headers]
 */
export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/**
 * Sets the CORS headers of every response.
 *
 * With `'*'` the collector answers `Access-Control-Allow-Origin: *` literally, like many real
 * collectors: credentialed requests (sendBeacon always sends credentials) then work only when they
 * need no preflight, which is why the SDK sends beacons as text/plain. Tests should meet that
 * rule here rather than discover it in production. With an allow-list the origin is echoed and
 * credentials are allowed.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {'*' | string[]} origins
 * @returns {boolean} whether the request's origin is allowed
 */
export function setCorsHeaders(req, res, origins) {
  const origin = req.headers.origin;
  let allowed;
  if (origins === '*') {
    allowed = true;
    res.setHeader('Access-Control-Allow-Origin', '*');
  } else {
    res.setHeader('Vary', 'Origin');
    allowed = origin !== undefined && origins.includes(origin);
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
  }
  // Retry-After is not a CORS-safelisted response header: without this, fetch cannot read it.
  if (allowed) res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
  return allowed;
}

/**
 * Answers a CORS preflight: 204, allowing POST with a Content-Type header (application/json is
 * not a "simple" type, so fetch with it is preflighted).
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {boolean} allowed
 */
export function answerPreflight(req, res, allowed) {
  if (allowed) {
    res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
    // Chromium's Private Network Access asks this when a public page posts to a local collector.
    if (req.headers['access-control-request-private-network'] === 'true') {
      res.setHeader('Access-Control-Allow-Private-Network', 'true');
    }
  }
  res.writeHead(204, { 'Content-Length': 0 });
  res.end();
}
