/**
 * Viz namespace: values that display themselves in Jupyter (the `Symbol.for("Jupyter.display")`
 * protocol): plotly charts, tables, image grids, progress bars, Markdown and LaTeX. End a cell
 * with one to see it; `show(value)` displays from inside code. Loading it registers formatters for
 * danfojs DataFrames/Series, tf.Tensors and arrays of records.
 *
 * @see notebooks/00-getting-started
 */
export { DISPLAY, DISPLAY_ID, isDisplayable, displayIdOf, normalizeBundle } from './protocol';
export type { MimeBundle, Displayable } from './protocol';
export { registerFormatter, unregisterFormatter, formatterNames, mimeBundleOf, FORMATTERS_KEY } from './formatters';
export type { Formatter } from './formatters';
export { show, updateDisplay, bundleFor, kernelSink, KERNEL_SINK_KEY } from './show';
export type { DisplaySink, PublishOptions } from './show';
export { Figure, plotlyScript, plotlyBundlePath, resetPlotlyInlining, plotlyPending } from './plotly';
export type { PlotOptions, PlotlyTrace, PlotlyLayout, PlotlyConfig } from './plotly';
export { line, scatter, histogram, heatmap, surface } from './charts';
export type { LineTrace, ScatterTrace, HistogramTrace, HeatmapTrace, SurfaceTrace } from './charts';
export { subplots } from './subplots';
export { overlay } from './overlay';
export type { SubplotOptions } from './subplots';
export { table, Table, isDataFrameLike, isSeriesLike, isRecordArray } from './table';
export type { TableOptions, TableSource, TableRecord, DataFrameLike, SeriesLike } from './table';
export { imageGrid, ImageGrid } from './image-grid';
export type { ImageGridOptions } from './image-grid';
export { toRasters, intensityRange, isImageShape } from './images';
export type { ImageSource, RawImage, ImageBatch, Raster, IntensityRange } from './images';
export { progress, ProgressBar } from './progress';
export type { ProgressOptions, ProgressReport, ProgressState } from './progress';
export { markdown, latex, html, Markdown, Latex, Html } from './text';
export { formatNumber, formatCell, escapeHtml } from './format';
export { tensorText, tensorBundle, registerBuiltinFormatters } from './builtin-formatters';
export type { NumberSeries, NumberGrid } from './numbers';

import { registerBuiltinFormatters } from './builtin-formatters';

registerBuiltinFormatters();
