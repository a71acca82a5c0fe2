// newstrace's pages: live updates of a story page, and the twin passages of a relation page.
// Served as a file (the Content-Security-Policy forbids inline script); no data is ever run as script.
"use strict";

function followStory() {
  const live = document.getElementById("live");
  if (!live || !window.EventSource) return;
  const story = live.dataset.story;
  const events = new EventSource("/api/v1/stories/" + encodeURIComponent(story) + "/events");
  events.addEventListener("story", async () => {
    const response = await fetch(window.location.pathname, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    // The server renders (and escapes) the page; parsed this way none of its scripts run.
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html").querySelector("main");
    if (!fresh) return;
    document.querySelector("main").replaceWith(document.adoptNode(fresh));
    const note = document.getElementById("live");
    if (note) {
      note.textContent = "Updated " + new Date().toLocaleTimeString() + ": the story changed (a new article, say).";
      note.classList.add("updated");
    }
    pairPassages();
  });
}

function pairPassages() {
  const passages = document.querySelectorAll(".sides [data-passage]");
  const twins = (element) => document.querySelectorAll('.sides [data-passage="' + element.dataset.passage + '"]');
  passages.forEach((element) => {
    element.addEventListener("mouseenter", () => twins(element).forEach((t) => t.classList.add("active")));
    element.addEventListener("mouseleave", () => twins(element).forEach((t) => t.classList.remove("active")));
    element.addEventListener("click", () => {
      const other = Array.from(twins(element)).find((t) => t.closest(".side") !== element.closest(".side"));
      if (other) other.scrollIntoView({ behavior: "smooth", block: "center" });
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  followStory();
  pairPassages();
});
