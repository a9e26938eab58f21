// Live training panel: Start/Stop, a progress bar, the numbers, and a chart with axes: the
// training loss per step (left scale) and the validation macro-F1 per round (right scale).
// Pure DOM and SVG, no imports: it must work offline in JupyterLab, Colab and Voila.
// Python sends only new points ({type: "points"}); a new view asks for the history once, and
// every view replaces its curves with it (so asking twice draws nothing twice).

const SVG = "http://www.w3.org/2000/svg";
const W = 440, H = 170, M = { left: 44, right: 44, top: 10, bottom: 26 };

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmtSeconds(s) {
  if (!isFinite(s) || s < 0) return "–";
  const m = Math.floor(s / 60);
  return m ? `${m} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

function range(values, pad, lo, hi) {
  let min = Math.min(...values), max = Math.max(...values);
  if (!isFinite(min)) return [0, 1];
  if (max - min < 1e-9) { min -= 0.05; max += 0.05; }
  const span = max - min;
  min -= pad * span; max += pad * span;
  if (lo !== undefined) min = Math.max(lo, min);
  if (hi !== undefined) max = Math.min(hi, max);
  return [min, max];
}

function ticks([lo, hi], n) {
  return Array.from({ length: n }, (_, i) => lo + (i * (hi - lo)) / (n - 1));
}

function drawChart(chart, loss, val, totalSteps) {
  chart.replaceChildren();
  const iw = W - M.left - M.right, ih = H - M.top - M.bottom;
  const steps = Math.max(totalSteps, ...loss.map((p) => p[0]), ...val.map((p) => p[0]), 1);
  const x = (s) => M.left + (s / steps) * iw;
  const lossRange = range(loss.map((p) => p[1]), 0.05);
  const valRange = range(val.map((p) => p[1]), 0.1, 0, 1);
  const yl = (v) => M.top + ih - ((v - lossRange[0]) / (lossRange[1] - lossRange[0])) * ih;
  const yv = (v) => M.top + ih - ((v - valRange[0]) / (valRange[1] - valRange[0])) * ih;
  chart.appendChild(svg("rect", { x: M.left, y: M.top, width: iw, height: ih, class: "nbt-plot" }));
  for (const s of ticks([0, steps], 5)) {
    chart.appendChild(svg("text", { x: x(s), y: H - 8, class: "nbt-tick", "text-anchor": "middle" }, Math.round(s)));
  }
  chart.appendChild(svg("text", { x: M.left + iw / 2, y: H, class: "nbt-axis" }, "step"));
  if (loss.length) {
    for (const v of ticks(lossRange, 3)) {
      chart.appendChild(svg("text", { x: M.left - 4, y: yl(v) + 3, class: "nbt-tick nbt-loss-tick", "text-anchor": "end" }, v.toFixed(2)));
    }
  }
  if (val.length) {
    for (const v of ticks(valRange, 3)) {
      chart.appendChild(svg("text", { x: W - M.right + 4, y: yv(v) + 3, class: "nbt-tick nbt-val-tick" }, v.toFixed(3)));
    }
  }
  if (loss.length > 1) {
    chart.appendChild(svg("polyline", { points: loss.map(([s, v]) => `${x(s)},${yl(v)}`).join(" "), class: "nbt-loss" }));
  }
  if (val.length) {
    chart.appendChild(svg("polyline", { points: val.map(([s, v]) => `${x(s)},${yv(v)}`).join(" "), class: "nbt-val" }));
    for (const [s, v] of val) chart.appendChild(svg("circle", { cx: x(s), cy: yv(v), r: 3, class: "nbt-val-dot" }));
  }
}

function render({ model, el: root }) {
  root.classList.add("nbt-train");
  const title = el("div", "nbt-title", "Train with LoRA");
  const buttons = el("div", "nbt-buttons");
  const start = el("button", "nbt-start", "Start training");
  const stop = el("button", "nbt-stop", "Stop");
  buttons.append(start, stop);
  const bar = el("div", "nbt-bar");
  const fill = el("div", "nbt-fill");
  bar.appendChild(fill);
  const stats = el("div", "nbt-stats");
  const message = el("div", "nbt-message");
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "nbt-chart" });
  const legend = el("div", "nbt-legend");
  legend.append(el("span", "nbt-key-loss", "— training loss (left)"), el("span", "nbt-key-val", "● validation macro-F1 (right)"));
  root.append(title, buttons, bar, stats, chart, legend, message);

  let loss = [], val = [];
  const bump = (name) => {
    model.set(name, model.get(name) + 1);
    model.save_changes();
  };
  start.addEventListener("click", () => bump("start_clicks"));
  stop.addEventListener("click", () => bump("stop_clicks"));

  const update = () => {
    const status = model.get("status");
    const step = model.get("step"), total = model.get("total_steps");
    root.dataset.status = status;
    start.disabled = status === "running" || status === "stopping" || status === "preparing";
    stop.disabled = !(status === "running" || status === "preparing");
    fill.style.width = `${total ? (100 * step) / total : 0}%`;
    const f1 = val.length ? val[val.length - 1][1].toFixed(3) : "–";
    const last = loss.length ? loss[loss.length - 1][1].toFixed(4) : "–";
    stats.textContent =
      `step ${step}/${total || "–"} · epoch ${model.get("epoch")}/${model.get("epochs") || "–"} · loss ${last} · ` +
      `val macro-F1 ${f1} · ${model.get("speed").toFixed(1)} ex/s · ` +
      `training ${fmtSeconds(model.get("elapsed"))} · eta ${fmtSeconds(model.get("eta"))}`;
    message.textContent = model.get("message");
    drawChart(chart, loss, val, total);
  };
  model.on("msg:custom", (msg) => {
    if (msg.type === "reset") { loss = []; val = []; }
    if (msg.type === "points") { loss = loss.concat(msg.loss); val = val.concat(msg.val); }
    if (msg.type === "history") { loss = msg.loss; val = msg.val; }
    update();
  });
  for (const name of ["status", "step", "total_steps", "epoch", "message", "elapsed", "eta", "speed"]) {
    model.on(`change:${name}`, update);
  }
  model.send({ type: "history" });
  update();
}

export default { render };
