/** MAU charts as SVG. */
export { renderMauChart, type MauChartInput } from "./mau-chart.js";
