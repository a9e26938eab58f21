// The review queue: the row shown, its actions, and the ranked table. Pure DOM, no imports, so it
// works offline in JupyterLab, Colab and Voila. Python holds every decision: this file only sends
// actions ({action: "accept"}, {action: "label", index: 2}, ...) and draws the synced state.
// The root carries data-lm-suppress-shortcuts, so JupyterLab's own single-key shortcuts
// (a: insert cell, d d: delete cell, 1: heading) do not fire while the queue has the focus.

const PAGE = 25;
const KEYS = { a: "accept", k: "keep", s: "skip", d: "drop", u: "undo", ArrowRight: "next", ArrowLeft: "previous" };

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(cls, text, title, onClick) {
  const node = el("button", `nbt-q-button ${cls}`, text);
  node.title = title;
  node.addEventListener("click", (event) => {
    event.stopPropagation();
    onClick();
  });
  return node;
}

function percent(value) {
  return value === null || value === undefined ? "" : `${Math.round(100 * value)}%`;
}

function render({ model, el: root }) {
  root.classList.add("nbt-queue");
  root.tabIndex = 0;
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  const send = (action, index) => model.send(index === undefined ? { action } : { action, index });

  const head = el("div", "nbt-q-head");
  const title = el("span", "nbt-q-title");
  const status = el("span", "nbt-q-status");
  head.append(title, status);
  const card = el("div", "nbt-q-card");
  const actions = el("div", "nbt-q-actions");
  const chips = el("div", "nbt-q-labels");
  const message = el("div", "nbt-q-message");
  const help = el("div", "nbt-q-help");
  const table = el("table", "nbt-q-table");
  root.append(head, card, actions, chips, message, help, table);

  const labelMode = () => model.get("mode") === "label";
  const accept = button("nbt-q-accept", "", "", () => send("accept"));
  const keep = button("nbt-q-keep", "", "", () => send("keep"));
  const drop = button("nbt-q-drop", "Drop (d)", "Set this row aside", () => send("drop"));
  const undo = button("nbt-q-undo", "Undo (u)", "Undo the last decision", () => send("undo"));
  const back = button("nbt-q-prev", "← Previous", "Previous row (←)", () => send("previous"));
  const next = button("nbt-q-next", "Next →", "Next row (→)", () => send("next"));
  actions.append(accept, keep, drop, undo, back, next);

  const drawCard = () => {
    const cards = model.get("cards");
    const position = model.get("position");
    const item = cards[position];
    const decision = model.get("decisions")[position] || "";
    card.replaceChildren();
    if (!item) {
      card.append(el("div", "nbt-q-empty", "Nothing to review."));
      return;
    }
    const where = el("div", "nbt-q-where", `#${position + 1} · ${item.where}`);
    const text = el("div", "nbt-q-text", item.text);
    const facts = el("div", "nbt-q-facts");
    if (item.label) facts.append(el("span", "nbt-q-given", `given: ${item.label}`));
    if (item.suggested) {
      facts.append(el("span", "nbt-q-suggested", `suggested: ${item.suggested} ${percent(item.confidence)}`.trim()));
    }
    card.append(where, text, facts);
    if (decision) card.append(el("div", "nbt-q-decision", decision));
    card.dataset.decided = decision ? "yes" : "no";
  };

  const drawActions = () => {
    const multi = model.get("multi");
    accept.textContent = multi ? "Apply labels (a)" : labelMode() ? "Use suggestion (a)" : "Accept suggestion (a)";
    accept.title = multi ? "Give the row the labels chosen below" : "Take the suggested label";
    keep.textContent = labelMode() ? "Skip (k)" : "Keep as is (k)";
    keep.title = labelMode() ? "Leave this text unlabelled" : "The label is right: mark the row reviewed";
    drop.hidden = labelMode();
    const item = model.get("cards")[model.get("position")];
    accept.disabled = !item || (!multi && !item.suggested);
    chips.replaceChildren();
    const draft = new Set(model.get("draft"));
    model.get("labels").forEach((name, i) => {
      const shortcut = i < 9 ? `${i + 1} ` : "";
      const chip = button("nbt-q-label", `${shortcut}${name}`, multi ? "Add or remove this label" : "Give the row this label", () => send("label", i));
      chip.dataset.label = name;
      if (multi && draft.has(name)) chip.classList.add("nbt-on");
      chips.append(chip);
    });
    const verb = multi ? "1–9 add/remove a label · a apply" : "a accept · 1–9 choose a label";
    const rest = labelMode() ? "k skip" : "k keep · d drop";
    help.textContent = `Keys (click the queue first): ${verb} · ${rest} · u undo · ←/→ move`;
  };

  const drawTable = () => {
    const cards = model.get("cards");
    const decisions = model.get("decisions");
    const position = model.get("position");
    const start = Math.floor(position / PAGE) * PAGE;
    table.replaceChildren();
    const headRow = el("tr");
    const columns = labelMode() ? ["#", "text", "suggested", "confidence", "decision"] : ["#", "text", "given", "suggested", "confidence", "decision"];
    for (const name of columns) headRow.append(el("th", "", name));
    table.append(el("thead"));
    table.firstChild.append(headRow);
    const body = el("tbody");
    cards.slice(start, start + PAGE).forEach((item, offset) => {
      const index = start + offset;
      const row = el("tr", index === position ? "nbt-q-current" : "");
      row.append(el("td", "nbt-q-num", String(index + 1)), el("td", "nbt-q-cell-text", item.text.slice(0, 120)));
      if (!labelMode()) row.append(el("td", "", item.label));
      row.append(el("td", "", item.suggested), el("td", "nbt-q-num", percent(item.confidence)), el("td", "", decisions[index] || ""));
      row.addEventListener("click", () => send("goto", index));
      body.append(row);
    });
    table.append(body);
    if (cards.length > PAGE) {
      const note = el("caption", "nbt-q-page", `rows ${start + 1}–${Math.min(start + PAGE, cards.length)} of ${cards.length}`);
      table.prepend(note);
    }
  };

  const update = () => {
    title.textContent = labelMode() ? "Label these texts next" : "Review possible label errors";
    status.textContent = model.get("status");
    message.textContent = model.get("message");
    drawCard();
    drawActions();
    drawTable();
  };

  root.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
    let handled = true;
    if (KEYS[event.key]) send(KEYS[event.key]);
    else if (/^[1-9]$/.test(event.key)) send("label", Number(event.key) - 1);
    else if (event.key === "Enter" && model.get("multi")) send("accept");
    else handled = false;
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  });
  for (const name of ["cards", "decisions", "position", "draft", "status", "message", "labels", "mode", "multi"]) {
    model.on(`change:${name}`, update);
  }
  update();
}

export default { render };
