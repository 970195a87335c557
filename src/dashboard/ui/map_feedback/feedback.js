// Outlines the area clicked on the map at once, in the page, before the script's rerun (which
// filters by the area and draws its outline for good) has come back. A file of the app's own
// origin in a frame of the same origin (so a policy refusing inline scripts allows it); it reads
// the map's own click event and styles the clicked shape, and nothing else.
(function () {
  "use strict";
  var args = {colour: "#000000", width: 3.5};
  function post(type, more) {
    var message = {isStreamlitMessage: true, type: type};
    for (var k in more) { message[k] = more[k]; }
    window.parent.postMessage(message, "*");
  }
  function outline(chart, location) {
    var paths = chart.querySelectorAll("path.choroplethlocation");
    for (var i = 0; i < paths.length; i++) {
      var shape = paths[i].__data__;
      if (shape && shape.loc === location) {
        paths[i].style.stroke = args.colour;
        paths[i].style.strokeWidth = args.width + "px";
        paths[i].setAttribute("data-clicked", "true");
      }
    }
  }
  function attach() {
    var charts = window.parent.document.querySelectorAll(
      '[data-testid="stPlotlyChart"] .js-plotly-plot');
    for (var i = 0; i < charts.length; i++) {
      var chart = charts[i];
      if (chart.__clickFeedback || typeof chart.on !== "function") { continue; }
      chart.__clickFeedback = true;
      chart.on("plotly_click", function (event) {
        var point = event && event.points && event.points[0];
        if (point && point.location !== undefined) { outline(this, point.location); }
      }.bind(chart));
    }
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source === window.parent && data && data.type === "streamlit:render" && data.args) {
      if (data.args.colour) { args.colour = data.args.colour; }
      if (data.args.width) { args.width = data.args.width; }
    }
  });
  // A rerun that changes the figure mounts a new chart: look for it again.
  setInterval(attach, 250);
  attach();
  post("streamlit:componentReady", {apiVersion: 1});
  post("streamlit:setFrameHeight", {height: 0});
})();
