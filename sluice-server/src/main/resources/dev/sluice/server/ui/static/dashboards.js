// The dashboards' charts (Chart.js), from /ui/dashboards.json.
(function () {
  var colours = { succeeded: "#2e7d32", failed: "#c62828", running: "#1565c0", cancelled: "#ef6c00", interrupted: "#ef6c00" };
  fetch("/ui/dashboards.json", { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      new Chart(document.getElementById("run-durations"), {
        type: "bar",
        data: {
          labels: data.runs.map(function (run) { return run.id; }),
          datasets: [{
            label: "seconds",
            data: data.runs.map(function (run) { return run.seconds; }),
            backgroundColor: data.runs.map(function (run) { return colours[run.status] || "#9e9e9e"; })
          }]
        },
        options: { animation: false, plugins: { legend: { display: false } }, scales: { x: { ticks: { display: false } } } }
      });
      new Chart(document.getElementById("check-failures"), {
        type: "line",
        data: {
          labels: data.runs.map(function (run) { return run.id; }),
          datasets: [{ label: "checks not passed", data: data.runs.map(function (run) { return run.failedChecks; }), borderColor: "#c62828", stepped: true }]
        },
        options: { animation: false, scales: { x: { ticks: { display: false } }, y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
      new Chart(document.getElementById("freshness-chart"), {
        type: "bar",
        data: {
          labels: data.freshness.map(function (row) { return row.asset; }),
          datasets: [
            { label: "hours since last build", data: data.freshness.map(function (row) { return row.hours; }), backgroundColor: "#1565c0" },
            { label: "SLO (hours)", data: data.freshness.map(function (row) { return row.sloHours; }), backgroundColor: "#ffb300" }
          ]
        },
        options: { animation: false, indexAxis: "y" }
      });
      document.body.dataset.charts = "3";
    });
})();
