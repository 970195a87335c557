// Scrolls the app's page to the element named in the render arguments (the reader's focused
// finding), once it is drawn. A file of the app's own origin, so a Content-Security-Policy that
// refuses inline scripts (deploy/haproxy.cfg) allows it; it runs in a frame of the same origin
// and reaches the page through window.parent. Nothing else is read, sent or fetched.
(function () {
  "use strict";
  var done = null;
  function post(type, more) {
    var message = {isStreamlitMessage: true, type: type};
    for (var k in more) { message[k] = more[k]; }
    window.parent.postMessage(message, "*");
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== window.parent || !data || data.type !== "streamlit:render") { return; }
    var target = (data.args || {}).target;
    if (!target || target === done) { return; }
    done = target;
    var tries = 0;
    var timer = setInterval(function () {
      var element = window.parent.document.getElementById(target);
      if (element) {
        element.scrollIntoView({block: "center"});
        clearInterval(timer);
      }
      if (++tries > 50) { clearInterval(timer); }
    }, 100);
  });
  post("streamlit:componentReady", {apiVersion: 1});
  post("streamlit:setFrameHeight", {height: 0});
})();
