// The part of Apache ECharts the report pages use, bundled by esbuild into dist/charts.js (see
// package.json): bar, line, pie and funnel charts drawn as SVG, with tooltips, legends, grids and
// the accessibility decals that keep series apart on a black-and-white print. The web app loads
// it only when a page shows a chart, and reaches it as `window.echarts`.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart, FunnelChart } from 'echarts/charts';
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  AriaComponent,
  DatasetComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  FunnelChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  AriaComponent,
  DatasetComponent,
  SVGRenderer,
]);

window.echarts = echarts;
