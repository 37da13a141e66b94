// The trainer's check-in screen: a new QR code and digits when the code changes, and who is in, every few seconds.
(function () {
  var screen = document.querySelector("[data-checkin-state]");
  if (!screen) return;
  var image = screen.querySelector("[data-checkin-image]");
  var digits = screen.querySelector("[data-checkin-code]");
  var count = screen.querySelector("[data-checkin-count]");
  var list = screen.querySelector("[data-checkin-present]");
  var shown = digits.textContent.replace(/\s/g, "");
  function refresh() {
    fetch(screen.dataset.checkinState, {credentials: "same-origin"}).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (state) {
      if (!state) return;
      if (!state.open) { window.location.reload(); return; }
      if (state.code !== shown) {
        shown = state.code;
        digits.textContent = state.code.slice(0, 3) + " " + state.code.slice(3);
        image.src = screen.dataset.checkinQr + "?" + Date.now();
      }
      count.textContent = state.present.length;
      list.replaceChildren.apply(list, state.present.map(function (name) {
        var item = document.createElement("li");
        item.textContent = name;
        return item;
      }));
    }).catch(function () {});
  }
  setInterval(refresh, 3000);
})();
