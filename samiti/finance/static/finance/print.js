// The share-out sheet's "Print" button (inline scripts are blocked by the Content-Security-Policy).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
