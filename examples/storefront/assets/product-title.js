// The product page's title names the product of ?sku=. It runs before the crumbtrail tag (a
// plain script in <head>, after catalog.js), because an async SDK may record the page view as
// soon as it arrives, and the page view carries the title of that moment.
(function () {
  var sku = new URLSearchParams(location.search).get('sku');
  var p = window.shopCatalog[sku] || window.shopCatalog['trail-runner'];
  document.title = p.name + ' · Fernway Outfitters';
})();
