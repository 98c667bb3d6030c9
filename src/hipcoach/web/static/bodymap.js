// Body map: tapping a region ticks the matching "Where is the pain?" checkbox, and the
// regions light up for every ticked box. The checkboxes remain the form's real control.
(function () {
  "use strict";
  function setup(map) {
    var form = map.closest("form");
    if (!form) return;
    function box(choice) {
      return form.querySelector('input[type="checkbox"][value="' + choice + '"]');
    }
    function paint() {
      map.querySelectorAll("[data-choice]").forEach(function (region) {
        var b = box(region.getAttribute("data-choice"));
        region.classList.toggle("on", !!(b && b.checked));
      });
    }
    map.querySelectorAll("[data-choice]").forEach(function (region) {
      region.addEventListener("click", function () {
        var b = box(region.getAttribute("data-choice"));
        if (!b) return;
        b.checked = !b.checked;
        b.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
    form.addEventListener("change", paint);
    map.classList.add("live");
    paint();
  }
  document.querySelectorAll("figure.bodymap").forEach(setup);
})();
