// Live training panel: Start/Stop, a progress bar, the numbers, and a loss / validation chart.
// Pure DOM and SVG, no imports: it must work offline in JupyterLab, Colab and Voila.

const SVG = "http://www.w3.org/2000/svg";

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmtSeconds(s) {
  if (!isFinite(s) || s < 0) return "–";
  const m = Math.floor(s / 60);
  return m ? `${m} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

function polyline(points, width, height, yMin, yMax, xMax, cls) {
  const line = document.createElementNS(SVG, "polyline");
  const span = yMax - yMin || 1;
  line.setAttribute("points", points.map(([x, y]) =>
    `${(x / (xMax || 1)) * width},${height - ((y - yMin) / span) * height}`).join(" "));
  line.setAttribute("class", cls);
  return line;
}

function drawChart(svg, model) {
  svg.replaceChildren();
  const width = 360, height = 90;
  const loss = model.get("loss");
  const val = model.get("val");
  const total = Math.max(model.get("total_steps"), 1);
  if (loss.length > 1) {
    const ys = loss.map((p) => p[1]);
    svg.appendChild(polyline(loss, width, height, Math.min(...ys), Math.max(...ys), total, "nbt-loss"));
  }
  if (val.length) {
    const epochs = Math.max(model.get("epochs"), 1);
    const pts = val.map(([e, f]) => [(e / epochs) * total, f]);
    svg.appendChild(polyline(pts, width, height, 0, 1, total, "nbt-val"));
    for (const [x, y] of pts) {
      const dot = document.createElementNS(SVG, "circle");
      dot.setAttribute("cx", (x / total) * width);
      dot.setAttribute("cy", height - y * height);
      dot.setAttribute("r", 3);
      dot.setAttribute("class", "nbt-val-dot");
      svg.appendChild(dot);
    }
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
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 360 90");
  svg.setAttribute("class", "nbt-chart");
  const legend = el("div", "nbt-legend", "— training loss (scaled)   ● validation macro-F1 (0–1)");
  root.append(title, buttons, bar, stats, svg, legend, message);

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
    const val = model.get("val");
    const f1 = val.length ? val[val.length - 1][1].toFixed(3) : "–";
    const loss = model.get("loss");
    const last = loss.length ? loss[loss.length - 1][1].toFixed(4) : "–";
    stats.textContent =
      `step ${step}/${total || "–"} · epoch ${model.get("epoch")}/${model.get("epochs") || "–"} · loss ${last} · ` +
      `val macro-F1 ${f1} · ${model.get("speed").toFixed(1)} ex/s · ` +
      `elapsed ${fmtSeconds(model.get("elapsed"))} · eta ${fmtSeconds(model.get("eta"))}`;
    message.textContent = model.get("message");
    drawChart(svg, model);
  };
  for (const name of ["status", "step", "total_steps", "epoch", "loss", "val", "message", "elapsed", "eta", "speed"]) {
    model.on(`change:${name}`, update);
  }
  update();
}

export default { render };
