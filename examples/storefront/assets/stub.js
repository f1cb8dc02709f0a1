// The crumbtrail stub: calls made before the SDK loads wait in this array, and the SDK replays
// them in order. An external file (not an inline <script>) so that a strict Content-Security-Policy
// (script-src 'self') needs no 'unsafe-inline' and no nonce.
window.crumbtrail = window.crumbtrail || [];
