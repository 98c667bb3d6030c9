/* One activity's page, enhanced: pointing at (or touching) a chart shows the value there.
   The charts are plain SVG drawn by the server and the splits table holds the numbers, so
   nothing is lost without JavaScript. Elements are made with the DOM, never from HTML. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function make(tag, attrs) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    return el;
  }

  function enhance(svg) {
    var source = document.getElementById(svg.getAttribute("data-points"));
    var points;
    try { points = JSON.parse(source.textContent); } catch (e) { return; }
    if (!points.length) return;
    var box = svg.viewBox.baseVal;
    var cursor = make("line", { "class": "cursor", y1: 0, y2: box.height - 26, visibility: "hidden" });
    var dot = make("circle", { "class": "cursor", r: 4, visibility: "hidden" });
    var text = make("text", { "class": "readout", y: 22, visibility: "hidden" });
    svg.appendChild(cursor); svg.appendChild(dot); svg.appendChild(text);

    function show(clientX) {
      var m = svg.getScreenCTM();
      if (!m) return;
      var x = (clientX - m.e) / m.a;
      var best = points[0];
      points.forEach(function (p) { if (Math.abs(p[0] - x) < Math.abs(best[0] - x)) best = p; });
      [cursor, dot, text].forEach(function (el) { el.setAttribute("visibility", "visible"); });
      cursor.setAttribute("x1", best[0]); cursor.setAttribute("x2", best[0]);
      dot.setAttribute("cx", best[0]); dot.setAttribute("cy", best[1]);
      text.textContent = best[2];
      var right = best[0] > box.width * 0.6;
      text.setAttribute("x", right ? best[0] - 8 : best[0] + 8);
      text.setAttribute("text-anchor", right ? "end" : "start");
    }
    function hide() {
      [cursor, dot, text].forEach(function (el) { el.setAttribute("visibility", "hidden"); });
    }
    svg.addEventListener("pointermove", function (e) { show(e.clientX); });
    svg.addEventListener("pointerdown", function (e) { show(e.clientX); });
    svg.addEventListener("pointerleave", hide);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".line-chart svg[data-points]").forEach(enhance);
  });
})();
