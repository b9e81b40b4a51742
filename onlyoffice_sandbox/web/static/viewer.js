// The pages' one script (their Content-Security-Policy allows no other). It only reads the page:
// - a message's HTML frame is sized to its content (the frame is of this origin, without scripts);
// - a page with `data-live` reloads when the server's event stream says that what it shows changed.
//   The stream is the server's (viewer.py `events`): the page itself never polls.
"use strict";

for (const frame of document.querySelectorAll("iframe.body")) {
  const fit = () => {
    const doc = frame.contentDocument;
    if (doc && doc.documentElement) {
      frame.style.height = doc.documentElement.scrollHeight + 4 + "px";
    }
  };
  const watch = () => {
    fit();
    for (const image of frame.contentDocument ? frame.contentDocument.images : []) {
      image.addEventListener("load", fit);
    }
  };
  frame.addEventListener("load", watch);
  // The frame may have loaded before this script ran (a loaded machine, a cached page): its load
  // event is gone then, and the frame kept its first height (seen in the browser test).
  if (frame.contentDocument && frame.contentDocument.readyState === "complete") {
    watch();
  }
}

const since = document.body.dataset.live;
if (since !== undefined) {
  const events = new EventSource("/sandbox/events?since=" + encodeURIComponent(since));
  events.addEventListener("change", () => {
    events.close();
    window.location.reload();
  });
}
