/* graphgrad explorer, part 2 of 3: the side panels (what this step computed, the inspected node, the legend)
   and the heat maps. Every text is set with textContent: names and ops are user text. */
/* global decode, fmtNum, valueText, shapeText */
/* exported el, renderStep, renderInspect, renderLegend */

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) { e.className = cls; }
  if (text !== undefined) { e.textContent = text; }
  return e;
}

function clear(box) {
  while (box.firstChild) { box.removeChild(box.firstChild); }
}

function nameOf(S, i) {
  return S.nodes[i].name || S.nodes[i].key;
}

function show(S, val, i) {
  const isInt = i !== undefined && /int|bool/.test(S.nodes[i].dtype);
  return valueText(val, S.fmt, S.maxValues, isInt);
}

/* --- what the current step computed ------------------------------------------------------------ */
function renderStep(S, box) {
  clear(box);
  const k = S.pos;
  if (k === 0) {
    box.appendChild(el("h2", "", "Step 0 of " + S.total + ": before the forward pass"));
    box.appendChild(el("p", "", "The leaves hold their data: inputs, parameters and constants. Step on (right " +
      "arrow) to compute each op's output in topological order, then run the backward pass one vjp at a time."));
  } else if (k <= S.F) {
    forwardStep(S, box, k);
  } else {
    backwardStep(S, box, k - S.F);
  }
}

function forwardStep(S, box, k) {
  const i = S.forward[k - 1];
  const n = S.nodes[i];
  box.appendChild(el("h2", "", "Forward " + k + " of " + S.F + ": " + n.op));
  const args = n.parents.map(function (p) { return nameOf(S, p); });
  box.appendChild(el("p", "gg-math", nameOf(S, i) + " = " + n.op + "(" + args.join(", ") + ")"));
  n.parents.forEach(function (p) {
    box.appendChild(el("p", "gg-math", "  " + nameOf(S, p) + " = " + show(S, S.data[p], p)));
  });
  box.appendChild(el("p", "gg-math", "\u2192 " + nameOf(S, i) + " = " + show(S, S.data[i], i)));
  if (k === S.F) {
    box.appendChild(el("p", "gg-done", "The forward pass is done. Next: the backward pass starts at " +
      nameOf(S, S.root) + " with the seed d" + nameOf(S, S.root) + "/d" + nameOf(S, S.root) + " = 1."));
  }
}

function backwardStep(S, box, j) {
  const b = S.backward[j - 1];
  const i = b.node;
  const n = S.nodes[i];
  const root = nameOf(S, S.root);
  box.appendChild(el("h2", "", "Backward " + j + " of " + S.B + ": vjp of " + n.op + " (" + nameOf(S, i) + ")"));
  const seed = j === 1 ? "  (the seed: d" + root + "/d" + root + " = 1)" : "";
  box.appendChild(el("p", "gg-math", "upstream g = d" + root + "/d" + nameOf(S, i) + " = " +
    show(S, S.finalGrad[i]) + seed));
  const local = S.array(b.local);
  if (local === null || S.kind === "tensor") {
    box.appendChild(el("p", "gg-math", b.formula));
  }
  b.sends.forEach(function (s) { box.appendChild(sendBox(S, b, s, local)); });
  if (j === S.B) {
    box.appendChild(el("p", "gg-done", "The backward pass is done: every gradient is complete."));
  }
}

function sendBox(S, b, s, local) {
  const div = el("div", "gg-send");
  const to = nameOf(S, s.to);
  const out = nameOf(S, b.node);
  if (s.fit === undefined) {
    div.appendChild(el("p", "", "to " + to + ": no gradient (the vjp returned None)"));
    return div;
  }
  const fit = S.array(s.fit);
  if (local !== null) {
    const d = local.values[s.arg];
    div.appendChild(el("p", "gg-math", "d" + out + "/d" + to + " = " + fmtNum(d, S.fmt) + "  (local derivative)"));
    div.appendChild(el("p", "gg-math", "to " + to + ": g \u00d7 " + fmtNum(d, S.fmt) + " = " +
      show(S, S.finalGrad[b.node]) + " \u00d7 " + fmtNum(d, S.fmt) + " = " + show(S, fit, s.to)));
  } else {
    if (s.raw !== undefined) {
      const raw = S.array(s.raw);
      div.appendChild(el("p", "gg-math", "vjp result for " + to + " " + shapeText(raw.shape) + ": " + show(S, raw)));
      div.appendChild(el("p", "gg-math gg-note", s.note));
    }
    div.appendChild(el("p", "gg-math", "to " + to + " " + shapeText(fit.shape) + ": " + show(S, fit, s.to)));
  }
  div.appendChild(sumLine(S, s));
  return div;
}

/* to.grad = term 1 + term 2 + ... so far, and whether it is complete: one line for numbers, a line per
   term (and the op that sent it) for tensors. */
function sumLine(S, s) {
  const to = nameOf(S, s.to);
  const box = el("div", s.term === s.terms ? "gg-done" : "");
  const total = show(S, S.array(s.acc), s.to);
  const state = s.terms === 1 ? "its only term: complete" : s.term === s.terms ?
    "term " + s.term + " of " + s.terms + ": complete" : "term " + s.term + " of " + s.terms + ", " +
    (s.terms - s.term) + " more to come";
  const terms = S.contribs[s.to].slice(0, s.term);
  if (terms.length === 1) {
    box.appendChild(el("p", "gg-math", to + ".grad = " + total + "  (" + state + ")"));
  } else if (S.array(s.acc).shape.length === 0) {
    const parts = terms.map(function (t) { return show(S, S.array(t.fit), s.to); });
    box.appendChild(el("p", "gg-math", to + ".grad = " + parts.join(" + ") + " = " + total + "  (" + state + ")"));
  } else {
    box.appendChild(el("p", "gg-math", to + ".grad = the sum of its terms so far  (" + state + "):"));
    terms.forEach(function (t, k) {
      box.appendChild(el("p", "gg-math", "  " + (k ? "+ " : "  ") + "term " + (k + 1) + " from " +
        S.nodes[t.from].op + " (" + nameOf(S, t.from) + "): " + show(S, S.array(t.fit), s.to)));
    });
    box.appendChild(el("p", "gg-math", "  = " + total));
  }
  return box;
}

/* --- the inspected node ------------------------------------------------------------------------ */
function renderInspect(S, box, what, select) {
  clear(box);
  if (what === null) { return; }
  if (typeof what === "string") { return inspectModule(S, box, what, select); }
  const n = S.nodes[what];
  box.appendChild(el("h2", "", "Inspect: " + (n.name || n.key)));
  const rows = [["key in shown()", n.key], ["op", n.op || "leaf"], ["kind", n.cat],
    ["shape", shapeText(n.shape)], ["dtype", n.dtype], ["requires grad", n.rg ? "yes" : "no"]];
  const table = el("table", "gg-props");
  rows.forEach(function (r) {
    const tr = el("tr");
    tr.appendChild(el("td", "", r[0]));
    tr.appendChild(el("td", "gg-math", r[1]));
    table.appendChild(tr);
  });
  box.appendChild(table);
  const data = S.shownData[what] ? S.data[what] : null;
  const grad = S.grad[what];
  box.appendChild(el("h3", "", "data"));
  box.appendChild(el("p", "gg-math", data === null ? "not computed yet (step the forward pass)" : show(S, data, what)));
  box.appendChild(el("h3", "", "grad (as of this step)"));
  box.appendChild(el("p", "gg-math", !n.rg ? "none: it does not require grad" : grad === null ?
    "not delivered yet" : show(S, grad, what)));
  if (n.shape.length > 0) {
    box.appendChild(heatmap(data, "data"));
    box.appendChild(heatmap(grad, "grad"));
  }
  if (n.flag) { box.appendChild(flagText(n.flag)); }
  links(S, box, "inputs", n.parents, select);
  links(S, box, "used by", S.consumers[what], select);
}

function inspectModule(S, box, id, select) {
  const m = S.modules[id];
  box.appendChild(el("h2", "", "Module: " + m.title));
  box.appendChild(el("p", "gg-hint", "Collapsed: its ops run inside this node. Its nodes:"));
  links(S, box, "nodes", m.members, select);
}

function links(S, box, title, list, select) {
  if (!list.length) { return; }
  const p = el("p", "", title + ": ");
  list.forEach(function (i, k) {
    const a = el("button", "gg-link", nameOf(S, i));
    a.type = "button";
    a.addEventListener("click", function () { select(i); });
    if (k) { p.appendChild(document.createTextNode(", ")); }
    p.appendChild(a);
  });
  box.appendChild(p);
}

function flagText(flag) {
  const what = flag.kind === "dead" ? "dead ReLU" : "saturated";
  const shown = flag.bad.slice(0, 8).join(", ") + (flag.bad.length > 8 ? ", ..." : "");
  const scope = flag.batch > 1 ? " on all " + flag.batch + " examples" : "";
  const why = flag.kind === "dead" ? " (0 on every example: no gradient flows through them)" :
    " (on the flat tails: slope < 5% of its peak)";
  return el("p", "gg-flag-" + flag.kind, what + " units " + flag.bad.length + "/" + flag.units + scope + ": " +
    shown + why);
}

/* A heat map of a tensor (rows: every axis but the last): red positive, blue negative, white 0. */
function heatmap(val, title) {
  const box = el("div", "gg-heat");
  if (val === null || val.values === null) {
    box.appendChild(el("span", "gg-hint", title + ": " + (val === null ? "\u2014" : "too large for a heat map")));
    return box;
  }
  const cols = val.shape.length ? val.shape[val.shape.length - 1] : 1;
  const rows = cols ? val.values.length / cols : 0;
  let top = 0;
  val.values.forEach(function (x) { if (Number.isFinite(x)) { top = Math.max(top, Math.abs(x)); } });
  box.appendChild(el("span", "gg-hint", title + " (|max| " + top.toPrecision(3) + ")"));
  if (!rows || !cols) { return box; }
  const canvas = document.createElement("canvas");
  canvas.width = cols;
  canvas.height = rows;
  const cell = Math.max(1, Math.min(24, Math.floor(220 / Math.max(cols, rows))));
  canvas.style.width = cols * cell + "px";
  canvas.style.height = rows * cell + "px";
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(cols, rows);
  val.values.forEach(function (x, k) {
    const c = colour(x, top);
    img.data.set([c[0], c[1], c[2], 255], 4 * k);
  });
  ctx.putImageData(img, 0, 0);
  box.appendChild(canvas);
  return box;
}

function colour(x, top) {
  if (!Number.isFinite(x)) { return [250, 204, 21]; }          // nan/inf: yellow
  const t = top > 0 ? Math.min(1, Math.abs(x) / top) : 0;
  const fade = Math.round(255 * (1 - t));
  return x >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

/* --- the legend -------------------------------------------------------------------------------- */
function renderLegend(S, box) {
  clear(box);
  box.appendChild(el("h2", "", "Legend"));
  S.legend.forEach(function (item) {
    const p = el("p");
    const sw = el("span", "gg-swatch");
    sw.style.background = item[0];
    p.appendChild(sw);
    p.appendChild(document.createTextNode(item[1]));
    box.appendChild(p);
  });
  box.appendChild(el("p", "gg-hint", "Blue outline: the op this step runs and its output; orange: the inputs " +
    "it sends gradient to. Red / orange border: dead ReLU / saturated units. Keys: left and right arrows, " +
    "Home, End."));
}
