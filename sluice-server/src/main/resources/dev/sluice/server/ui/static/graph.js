// The asset graph: cytoscape draws it, dagre lays it out left to right (upstream to downstream);
// the selection filter asks the server (the same selection syntax as `sluice run --select`).
(function () {
  var container = document.getElementById("graph");
  var form = document.getElementById("graph-filter");
  var input = document.getElementById("select");
  var errorBox = document.getElementById("graph-error");
  var colours = {
    succeeded: "#2e7d32", failed: "#c62828", running: "#1565c0",
    skipped: "#9e9e9e", never: "#bdbdbd"
  };
  var shapes = { model: "round-rectangle", seed: "ellipse", source: "barrel" };

  function layout(data) {
    var g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 90 });
    g.setDefaultEdgeLabel(function () { return {}; });
    data.nodes.forEach(function (node) { g.setNode(node.id, { width: 170, height: 44 }); });
    data.edges.forEach(function (edge) { g.setEdge(edge.source, edge.target); });
    dagre.layout(g);
    return g;
  }

  function draw(data) {
    var g = layout(data);
    var elements = [];
    data.nodes.forEach(function (node) {
      var at = g.node(node.id);
      elements.push({
        group: "nodes",
        data: { id: node.id, kind: node.kind, status: node.status, table: node.table },
        position: { x: at.x, y: at.y }
      });
    });
    data.edges.forEach(function (edge) {
      elements.push({ group: "edges", data: { id: edge.source + "->" + edge.target, source: edge.source, target: edge.target } });
    });
    if (window.sluiceGraph) {
      window.sluiceGraph.destroy();
    }
    var cy = cytoscape({
      container: container,
      elements: elements,
      layout: { name: "preset", fit: true, padding: 30 },
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
          "shape": function (n) { return shapes[n.data("kind")] || "round-rectangle"; },
          "background-color": function (n) { return colours[n.data("status")] || colours.never; },
          "label": "data(id)", "color": "#fff", "font-size": 12, "text-valign": "center",
          "text-halign": "center", "width": 170, "height": 44, "text-wrap": "ellipsis", "text-max-width": 160
        } },
        { selector: "edge", style: {
          "curve-style": "bezier", "target-arrow-shape": "triangle", "width": 1.5,
          "line-color": "#90a4ae", "target-arrow-color": "#90a4ae"
        } }
      ]
    });
    cy.on("tap", "node", function (event) {
      window.location.href = "/ui/assets/" + encodeURIComponent(event.target.id());
    });
    window.sluiceGraph = cy;
    container.dataset.nodes = String(cy.nodes().length);
  }

  function load() {
    var url = "/ui/graph.json?select=" + encodeURIComponent(input.value);
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
      .then(function (answer) {
        if (!answer.ok) {
          errorBox.textContent = answer.body.message || "The graph could not be loaded";
          errorBox.hidden = false;
          return;
        }
        errorBox.hidden = true;
        draw(answer.body);
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    history.replaceState(null, "", "/ui?select=" + encodeURIComponent(input.value));
    load();
  });
  load();
})();
