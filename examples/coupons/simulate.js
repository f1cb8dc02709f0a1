// Test and demo mode of the store locator, on with ?simulate=1 and off otherwise. It replaces
// navigator.geolocation on this page only (an own property of this page's navigator object;
// the browser, the permission and other pages are untouched) with a fake whose positions come
// from the "Simulated position" controls, so anyone can walk up to a store from their desk. It
// runs before crumbtrail, which reads navigator.geolocation when it starts.
(() => {
  if (new URLSearchParams(location.search).get('simulate') !== '1') return;

  const watchers = new Map();
  let nextId = 1;
  let last = null;
  const geolocation = {
    watchPosition(success) {
      const id = nextId++;
      watchers.set(id, success);
      // A real watch reports the current position soon after it starts.
      if (last) setTimeout(() => watchers.get(id)?.(last));
      return id;
    },
    clearWatch(id) {
      watchers.delete(id);
    },
    getCurrentPosition(success) {
      const id = geolocation.watchPosition((p) => {
        geolocation.clearWatch(id);
        success(p);
      });
    },
  };
  Object.defineProperty(navigator, 'geolocation', { value: geolocation, configurable: true });

  // Metres per degree of latitude on the mean Earth sphere (6,371,008.8 m × π / 180).
  const METRES_PER_DEGREE = 111195.08;
  function feed(fence, metres, accuracy) {
    // Due south of the store's centre: latitude alone changes, so the distance is exact.
    const coords = { latitude: fence.lat - metres / METRES_PER_DEGREE, longitude: fence.lng, accuracy, altitude: null, altitudeAccuracy: null, heading: null, speed: null };
    last = { coords, timestamp: Date.now() };
    for (const success of watchers.values()) success(last);
  }

  addEventListener('DOMContentLoaded', async () => {
    const $ = (id) => document.getElementById(id);
    const panel = $('simulator');
    const store = $('sim-store');
    const accuracy = $('sim-accuracy');
    const distance = $('sim-distance');
    const out = $('sim-out');
    panel.hidden = false;
    document.documentElement.classList.add('simulating');

    let fences = [];
    try {
      fences = (await (await fetch('/coupons/fences.json')).json()).fences;
    } catch {
      out.textContent = 'fences.json could not be read';
      return;
    }
    for (const f of fences) store.append(new Option(f.name || f.id, f.id));
    const move = () => {
      const fence = fences.find((f) => f.id === store.value);
      out.textContent = `${distance.value} m`;
      feed(fence, +distance.value, +accuracy.value);
    };

    let walking;
    // 25 m every half second: a walk, fast-forwarded. It ends at the centre or 300 m out.
    const walk = (step) => {
      clearInterval(walking);
      walking = setInterval(() => {
        const d = Math.min(300, Math.max(0, +distance.value + step));
        distance.value = d;
        move();
        if (d === 0 || d === 300) clearInterval(walking);
      }, 500);
    };
    distance.addEventListener('input', () => {
      clearInterval(walking);
      move();
    });
    store.addEventListener('change', move);
    accuracy.addEventListener('change', move);
    $('sim-in').addEventListener('click', () => walk(-25));
    $('sim-away').addEventListener('click', () => walk(25));
    // crumbtrail keeps fence state and coupon caps in localStorage under 'crumbtrail:geo' (the
    // namespace, then 'geo'): forgetting them lets a demo show the coupons again. An empty state,
    // not a removed key: without the key the plugin goes on with its copy in memory.
    $('sim-reset').addEventListener('click', () => {
      localStorage.setItem('crumbtrail:geo', '{}');
      out.textContent = `${distance.value} m (coupons forgotten)`;
    });
    // Where the walk starts: 300 m south of the first store.
    move();
  });
})();
