/* The reports page's charts (Chart.js, vendored): data from the json_script element
   #report-data (no inline script: the CSP allows only files from 'self'). */
(function () {
  "use strict";

  var COLORS = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b7791f", "#c53030", "#319795"];

  function draw() {
    var source = document.getElementById("report-data");
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var Chart = window.Chart;

    var aging = document.getElementById("chart-aging");
    if (aging) {
      new Chart(aging, {
        type: "bar",
        data: {
          labels: data.buckets,
          datasets: data.aging.map(function (row, i) {
            return { label: row.payer, data: row.amounts, backgroundColor: COLORS[i % COLORS.length] };
          })
        },
        options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true } } }
      });
      aging.dataset.rendered = "1";
    }

    var denials = document.getElementById("chart-denials");
    if (denials) {
      var n = data.denials.labels.length;
      var bench = data.denials.benchmarks;
      function line(label, value, color) {
        var values = [];
        for (var i = 0; i < n; i++) values.push(value);
        return { type: "line", label: label, data: values, borderColor: color, borderDash: [6, 4], pointRadius: 0, fill: false };
      }
      new Chart(denials, {
        type: "bar",
        data: {
          labels: data.denials.labels,
          datasets: [
            { label: "Initial denial rate %", data: data.denials.rates, backgroundColor: "#c05621" },
            line("Best (< " + bench.best + "%)", bench.best, "#2f855a"),
            line("Typical (" + bench.typical + "%)", bench.typical, "#b7791f"),
            line("Problem (> " + bench.problem + "%)", bench.problem, "#c53030")
          ]
        },
        options: { animation: false, scales: { y: { beginAtZero: true } } }
      });
      denials.dataset.rendered = "1";
    }

    var collections = document.getElementById("chart-collections");
    if (collections) {
      new Chart(collections, {
        type: "line",
        data: {
          labels: data.collections.labels,
          datasets: [{ label: "Paid", data: data.collections.paid, borderColor: "#2b6cb0", fill: false }]
        },
        options: { animation: false, scales: { y: { beginAtZero: true } } }
      });
      collections.dataset.rendered = "1";
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
