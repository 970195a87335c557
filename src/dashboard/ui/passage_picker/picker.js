// The reader's coding view: shows a window of the report text and tells the app which passage
// is selected, as offsets into the report text (Unicode code points, as Python counts them).
//
// It speaks Streamlit's component protocol (the messages streamlit-component-lib sends) by
// hand, so nothing is built or fetched: this file is the whole frontend. Every run of text in
// the window is a <span data-o="OFFSET"> made by dashboard.views.report_text, so a selection's
// ends are found from the span they fall in and the characters before them in it.
(function () {
  "use strict";
  var text = document.getElementById("text");
  var button = document.getElementById("code");
  var status = document.getElementById("status");
  var style = document.createElement("style");
  document.head.appendChild(style);
  var shown = {html: null, css: null, focus: null, window: null};
  var lastHeight = -1;

  function post(type, more) {
    var message = {isStreamlitMessage: true, type: type};
    for (var k in more) { message[k] = more[k]; }
    window.parent.postMessage(message, "*");
  }
  function send(value) {
    value.n = Date.now() + Math.random();
    post("streamlit:setComponentValue", {value: value, dataType: "json"});
  }
  function fitHeight() {
    var height = document.body.scrollHeight + 4;
    if (height !== lastHeight) {
      lastHeight = height;
      post("streamlit:setFrameHeight", {height: height});
    }
  }

  // Code points in a JavaScript (UTF-16) string.
  function codePoints(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        var d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { i++; }
      }
      n++;
    }
    return n;
  }
  function runOf(node) {
    while (node && node !== text) {
      if (node.nodeType === 1 && node.hasAttribute("data-o")) { return node; }
      node = node.parentNode;
    }
    return null;
  }
  function windowEnd() { return +text.getAttribute("data-end"); }
  function windowStart() { return +text.getAttribute("data-start"); }
  // The report offset of a boundary point of a range.
  function offsetOf(node, offset) {
    if (node.nodeType === 3) {
      var run = runOf(node);
      if (run) { return +run.getAttribute("data-o") + codePoints(node.data.slice(0, offset)); }
    }
    var point = document.createRange();
    point.setStart(node, offset);
    var runs = text.querySelectorAll("[data-o]");
    for (var i = 0; i < runs.length; i++) {
      if (point.comparePoint(runs[i], 0) >= 0) { return +runs[i].getAttribute("data-o"); }
    }
    return windowEnd();
  }
  function selected() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return null; }
    var range = selection.getRangeAt(0);
    var whole = document.createRange();
    whole.selectNodeContents(text);
    if (range.compareBoundaryPoints(Range.END_TO_START, whole) >= 0 ||
        range.compareBoundaryPoints(Range.START_TO_END, whole) <= 0) { return null; }
    var start = range.compareBoundaryPoints(Range.START_TO_START, whole) < 0
      ? windowStart() : offsetOf(range.startContainer, range.startOffset);
    var end = range.compareBoundaryPoints(Range.END_TO_END, whole) > 0
      ? windowEnd() : offsetOf(range.endContainer, range.endOffset);
    return start < end ? {start: start, end: end} : null;
  }
  function onSelection() {
    var passage = selected();
    button.disabled = passage === null;
    status.textContent = passage === null
      ? "Select words in the text with the mouse, or with Shift and the arrow keys, then press Enter or this button."
      : (passage.end - passage.start).toLocaleString("en") + " characters selected. Press Enter or the button to code them as a finding.";
    fitHeight();
  }
  function code() {
    var passage = selected();
    if (passage === null) { return; }
    passage.action = "code";
    send(passage);
  }

  // The text can be moved through and selected like an editor's, but never changed.
  ["beforeinput", "paste", "drop", "cut", "dragstart"].forEach(function (name) {
    text.addEventListener(name, function (event) { event.preventDefault(); });
  });
  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); code(); }
  });
  text.addEventListener("click", function (event) {
    var selection = window.getSelection();
    // A click with Shift (or any modifier) places the caret or extends a selection instead.
    if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (selection && !selection.isCollapsed) { return; }
    var mark = event.target.closest ? event.target.closest(".rd-hl") : null;
    if (mark && mark.getAttribute("data-ids")) {
      send({action: "open", ids: mark.getAttribute("data-ids").split(" ")});
    }
  });
  button.addEventListener("click", code);
  document.addEventListener("selectionchange", onSelection);

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== window.parent || !data || data.type !== "streamlit:render") { return; }
    var args = data.args || {};
    if (args.css !== shown.css) { style.textContent = args.css || ""; shown.css = args.css; }
    if (args.height) { text.style.maxHeight = args.height + "px"; }
    if (data.theme) {
      document.body.style.color = data.theme.textColor || "";
      document.body.style.backgroundColor = data.theme.backgroundColor || "";
    }
    if (args.html !== shown.html) {
      var holder = document.createElement("div");
      holder.innerHTML = args.html || "";
      var made = holder.firstElementChild;
      // Move the parsed nodes: serialising them again (innerHTML) would write carriage returns
      // as they are, and a second parse turns each CRLF into LF, one character short.
      text.replaceChildren.apply(text, made ? Array.from(made.childNodes) : []);
      text.setAttribute("data-start", made ? made.getAttribute("data-start") : "0");
      text.setAttribute("data-end", made ? made.getAttribute("data-end") : "0");
      shown.html = args.html;
      shown.focus = null;
    }
    var key = (args.focus || "") + "@" + (args.window || "");
    if (args.focus && key !== shown.focus) {
      var target = document.getElementById("f-" + args.focus);
      if (target) {
        text.scrollTop = Math.max(0, target.offsetTop - text.offsetTop - text.clientHeight / 3);
      }
    }
    shown.focus = key;
    onSelection();
  });
  if (window.ResizeObserver) { new ResizeObserver(fitHeight).observe(document.body); }
  post("streamlit:componentReady", {apiVersion: 1});
  fitHeight();
})();
