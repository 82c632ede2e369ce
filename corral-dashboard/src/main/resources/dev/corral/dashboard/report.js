// Draws the charts of a self-contained Corral report from the JSON in #report-data, with uPlot
// (inlined above this script). Category charts (one value per strategy or mode) are drawn as dots.
(function () {
  'use strict';
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var PALETTE = ['#2b6cb0', '#e53e3e', '#38a169', '#dd6b20', '#805ad5', '#d69e2e', '#319795', '#718096'];
  var root = document.getElementById('charts');
  var drawn = 0;
  // Counts, rates and latencies: a chart that starts at zero does not exaggerate differences.
  function fromZero(u, min, max) { return [Math.min(0, min || 0), max > 0 ? max * 1.1 : 1]; }
  report.charts.forEach(function (c) {
    var box = document.createElement('div');
    box.className = 'chart';
    root.appendChild(box);
    var category = c.kind === 'category';
    var x = category ? c.categories.map(function (_, i) { return i; }) : c.x;
    var data = [x].concat(c.series.map(function (s) { return s.values; }));
    var opts = {
      title: c.title, width: Math.min(900, root.clientWidth || 900), height: 260,
      scales: {
        x: category ? { time: false, range: [-0.5, c.categories.length - 0.5] } : { time: false },
        y: { range: fromZero }
      },
      series: [{ label: c.xLabel, value: category ? function (u, v) { return v === null ? '' : c.categories[v]; } : undefined }]
        .concat(c.series.map(function (s, i) {
          var colour = PALETTE[i % PALETTE.length];
          return category
            ? { label: s.label, stroke: colour, fill: colour, width: 0, paths: function () { return null; },
                points: { show: true, size: 11, fill: colour } }
            : { label: s.label, stroke: colour, width: 2, spanGaps: false };
        })),
      axes: [
        { label: c.xLabel, values: category ? function (u, splits) {
          return splits.map(function (v) { return Number.isInteger(v) && c.categories[v] !== undefined ? c.categories[v] : ''; });
        } : undefined, splits: category ? function () { return x; } : undefined },
        { label: c.yLabel, size: 60 }
      ]
    };
    new uPlot(opts, data, box);
    drawn++;
  });
  document.body.dataset.charts = String(drawn);
})();
