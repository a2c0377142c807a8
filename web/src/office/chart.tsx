// A chart drawn by ECharts into a div, redrawn when its option changes.

import { useEffect, useRef } from "preact/hooks";

type EChartsOption = Record<string, unknown>;

export function Chart({ option, height, label }: { option: EChartsOption; height: number; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let chart: { setOption: (o: EChartsOption) => void; dispose: () => void; resize: () => void } | null = null;
    let live = true;
    const resize = () => chart?.resize();
    void import("./echarts").then(({ echarts }) => {
      if (!live || !el.current) return;
      chart = echarts.init(el.current) as unknown as typeof chart;
      chart?.setOption(option);
      el.current.dataset.drawn = "yes";
      window.addEventListener("resize", resize);
    });
    return () => {
      live = false;
      window.removeEventListener("resize", resize);
      chart?.dispose();
    };
  }, [JSON.stringify(option)]);
  return <div ref={el} class="chart" style={{ height: `${height}px` }} role="img" aria-label={label} />;
}
