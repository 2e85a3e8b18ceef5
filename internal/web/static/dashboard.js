// Draws the dashboard's trend charts with ECharts when it is present. Each
// chart's numbers are also in the table beside it, so the page stays whole
// without scripts.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var screen = document.body.classList.contains("screen");
  var ink = screen ? "#e6edf7" : "#1f2933";
  var line = screen ? "#2b3a55" : "#d9dee6";
  var charts = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var c = JSON.parse(el.getAttribute("data-chart"));
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      textStyle: { color: ink },
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: c.labels, axisLine: { lineStyle: { color: line } }, axisLabel: { color: ink } },
      yAxis: { type: "value", splitLine: { lineStyle: { color: line } }, axisLabel: { color: ink } },
      series: c.series.map(function (s) {
        return { name: s.name, type: c.type, data: s.data, itemStyle: { color: "#1d4f91" },
          areaStyle: c.type === "line" ? { opacity: 0.12 } : undefined };
      })
    });
    el.setAttribute("data-rendered", "1");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
