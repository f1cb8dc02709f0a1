// The shop's three products, shared by the static storefront and the SPA (examples/spa).
window.shopCatalog = {
  'trail-runner': {
    name: 'Trail Runner X',
    price: 129,
    tagline: 'Grippy, light and happy in the mud.',
    about: 'A 4 mm lug outsole, a rock plate and a breathable mesh upper for long days off the road.',
    video: '/media/trail-runner.webm',
  },
  'city-glide': {
    name: 'City Glide',
    price: 99,
    tagline: 'Soft miles on hard pavement.',
    about: 'A springy foam midsole and a knit upper that forgets it is there after the first kilometre.',
    video: '/media/trail-runner.webm',
  },
  'peak-pro': {
    name: 'Peak Pro',
    price: 169,
    tagline: 'Built for the last 300 metres of climb.',
    about: 'Waterproof membrane, sticky rubber and a heel that locks in on the steepest descents.',
    video: '/media/trail-runner.webm',
  },
};
