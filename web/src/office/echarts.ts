// Only the parts of Apache ECharts the office draws (bars and lines on a
// grid, with tooltip and legend, on canvas), so the chunk stays small. It
// is loaded when the figures page first opens; phones never load it.

import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
