// The run page: the status badge takes the colour of the status the server sends; once the run
// has finished (the server's "done" closes the stream) the page is shown again as finished, with
// its final durations.
document.body.addEventListener("htmx:afterSwap", function (event) {
  var status = document.getElementById("run-status");
  if (event.target === status) {
    status.className = "st st-" + status.textContent.trim();
  }
});
document.body.addEventListener("htmx:sseClose", function () {
  var live = document.getElementById("live");
  if (live && live.dataset.live === "true") {
    live.dataset.live = "false";
    window.location.reload();
  }
});
