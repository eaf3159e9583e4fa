/* graphgrad explorer, part 3 of 3: the timeline (step 0, forward steps, backward steps), the SVG's state,
   the controls, and window.graphgrad, the scripting API for tests and slides. */
/* global decode, valueText, nested, renderStep, renderInspect, renderLegend */

const DATA = JSON.parse(document.getElementById("gg-data").textContent);
const S = setup(DATA);

function setup(data) {
  const cache = {};
  const S = {
    kind: data.kind, fmt: data.fmt, maxValues: data.maxValues, nodes: data.nodes, root: data.root,
    forward: data.forward, backward: data.backward, modules: data.modules, legend: data.legend,
    F: data.forward.length, B: data.backward.length, pos: 0, selected: null,
    array: function (k) {
      if (k === undefined || k === null) { return null; }
      if (!(k in cache)) { cache[k] = decode(data.arrays[k]); }
      return cache[k];
    }
  };
  S.total = S.F + S.B;
  S.data = S.nodes.map(function (n) { return S.array(n.data); });
  S.finalGrad = S.nodes.map(function (n) { return S.array(n.grad); });
  S.consumers = S.nodes.map(function () { return []; });
  S.nodes.forEach(function (n, i) {
    n.parents.forEach(function (p) { if (S.consumers[p].indexOf(i) < 0) { S.consumers[p].push(i); } });
  });
  S.contribs = S.nodes.map(function () { return []; });
  S.backward.forEach(function (b) {
    b.sends.forEach(function (s) { if (s.fit !== undefined) { S.contribs[s.to].push({ fit: s.fit, from: b.node }); } });
  });
  findSvg(S);
  resetState(S);
  S.drawn = S.nodes.map(function () { return { data: undefined, grad: undefined }; });
  return S;
}

/* The SVG groups of nodes (by their DOT name: n<i>, o<i>, m<k>) and edges, and the two texts of each value
   node that the page rewrites: its data row and its grad row, the last two texts of the group. */
function findSvg(S) {
  S.groups = {};
  document.querySelectorAll("#gg-graph g.node").forEach(function (g) {
    const title = g.querySelector("title");
    if (title) { S.groups[title.textContent] = g; }
  });
  S.edges = {};
  document.querySelectorAll("#gg-graph g.edge").forEach(function (g) {
    const title = g.querySelector("title");
    if (!title) { return; }
    const ends = title.textContent.split("->");
    (S.edges[ends[1]] = S.edges[ends[1]] || []).push(g);
    (S.edges[ends[0]] = S.edges[ends[0]] || []).push(g);
  });
  S.slots = S.nodes.map(function (n) {
    const g = n.svg && n.svg.charAt(0) === "n" ? S.groups[n.svg] : null;
    const texts = g ? g.querySelectorAll("text") : [];
    return texts.length >= 2 ? { data: texts[texts.length - 2], grad: texts[texts.length - 1] } : null;
  });
}

/* --- the timeline ------------------------------------------------------------------------------ */
function resetState(S) {
  S.pos = 0;
  S.shownData = S.nodes.map(function (n) { return n.parents.length === 0; });
  S.grad = S.nodes.map(function () { return null; });
}

function apply(S, k) {
  if (k <= S.F) {
    S.shownData[S.forward[k - 1]] = true;
    return;
  }
  const b = S.backward[k - S.F - 1];
  if (k === S.F + 1) { S.grad[S.root] = S.finalGrad[S.root]; }   // the seed, at the root's own vjp
  b.sends.forEach(function (s) { if (s.acc !== undefined) { S.grad[s.to] = S.array(s.acc); } });
}

function goto(k) {
  if (!Number.isInteger(k) || k < 0 || k > S.total) {
    throw new RangeError("graphgrad.goto(" + k + "): the steps are numbered 0 to " + S.total);
  }
  if (k < S.pos) { resetState(S); }
  for (let s = S.pos + 1; s <= k; s++) { apply(S, s); }
  S.pos = k;
  render();
  return k;
}

function count(n, name) {
  if (n === undefined) { return 1; }
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError("graphgrad." + name + "(" + n + "): give a whole number of steps >= 0");
  }
  return n;
}

/* --- drawing the state ------------------------------------------------------------------------- */
function render() {
  S.nodes.forEach(function (n, i) {
    const drawn = S.drawn[i];
    const data = S.shownData[i];
    if (drawn.data === data && drawn.grad === S.grad[i]) { return; }
    drawn.data = data;
    drawn.grad = S.grad[i];
    const slot = S.slots[i];
    const isInt = /int|bool/.test(n.dtype);
    if (slot) {
      slot.data.textContent = "data " + (data ? valueText(S.data[i], S.fmt, S.maxValues, isInt) : "\u2014");
      slot.grad.textContent = n.rg ? "grad " + valueText(S.grad[i], S.fmt, S.maxValues, isInt) : "no grad";
    }
    future(n.svg, !data, n);
    future(n.opSvg, !data, n);
  });
  highlight();
  slider.value = String(S.pos);
  where.textContent = "step " + S.pos + " of " + S.total + (S.pos === 0 ? "" : S.pos <= S.F ?
    " (forward " + S.pos + "/" + S.F + ")" : " (backward " + (S.pos - S.F) + "/" + S.B + ")");
  buttons.back.disabled = buttons.reset.disabled = S.pos === 0;
  buttons.next.disabled = buttons.end.disabled = S.pos === S.total;
  renderStep(S, stepBox);
  renderInspect(S, inspectBox, S.selected, select);
}

function future(id, on, n) {
  if (!id || id.charAt(0) === "m" || !S.groups[id]) { return; }
  S.groups[id].classList.toggle("gg-future", on);
  if (id.charAt(0) === "o" && n.parents.length) {
    (S.edges[id] || []).forEach(function (e) { e.classList.toggle("gg-future", on); });
  }
}

function highlight() {
  document.querySelectorAll("#gg-graph .gg-current, #gg-graph .gg-target, #gg-graph .gg-out, #gg-graph .gg-active")
    .forEach(function (g) { g.classList.remove("gg-current", "gg-target", "gg-out", "gg-active"); });
  if (S.pos === 0) { return; }
  const forward = S.pos <= S.F;
  const i = forward ? S.forward[S.pos - 1] : S.backward[S.pos - S.F - 1].node;
  const n = S.nodes[i];
  mark(n.opSvg, "gg-current");
  mark(n.svg, "gg-out");
  const g = S.groups[n.opSvg];
  if (g) { g.scrollIntoView({ block: "nearest", inline: "nearest" }); }
  (S.edges[n.opSvg] || []).forEach(function (e) { e.classList.add("gg-active"); });
  if (!forward) {
    S.backward[S.pos - S.F - 1].sends.forEach(function (s) {
      if (S.nodes[s.to].svg !== n.opSvg) { mark(S.nodes[s.to].svg, "gg-target"); }
    });
  }
}

function mark(id, cls) {
  if (id && S.groups[id]) { S.groups[id].classList.add(cls); }
}

function select(what) {
  if (S.selected !== null) { markSelected(S.selected, false); }
  S.selected = what;
  markSelected(what, true);
  renderInspect(S, inspectBox, what, select);
}

function markSelected(what, on) {
  const ids = typeof what === "string" ? [what] : [S.nodes[what].svg, S.nodes[what].opSvg];
  ids.forEach(function (id) { if (id && S.groups[id]) { S.groups[id].classList.toggle("gg-selected", on); } });
}

/* --- controls ---------------------------------------------------------------------------------- */
const stepBox = document.getElementById("gg-step");
const inspectBox = document.getElementById("gg-inspect");
const slider = document.getElementById("gg-slider");
const where = document.getElementById("gg-where");
const buttons = {};
["reset", "back", "next", "end"].forEach(function (b) { buttons[b] = document.getElementById("gg-" + b); });

function wire() {
  slider.max = String(S.total);
  slider.addEventListener("input", function () { goto(parseInt(slider.value, 10)); });
  buttons.reset.addEventListener("click", function () { goto(0); });
  buttons.back.addEventListener("click", function () { goto(Math.max(S.pos - 1, 0)); });
  buttons.next.addEventListener("click", function () { goto(Math.min(S.pos + 1, S.total)); });
  buttons.end.addEventListener("click", function () { goto(S.total); });
  document.addEventListener("keydown", function (e) {
    if (e.target === slider || e.altKey || e.ctrlKey || e.metaKey) { return; }
    const to = { ArrowRight: S.pos + 1, ArrowLeft: S.pos - 1, Home: 0, End: S.total }[e.key];
    if (to === undefined) { return; }
    e.preventDefault();
    goto(Math.min(Math.max(to, 0), S.total));
  });
  const byId = {};
  S.nodes.forEach(function (n, i) {
    [n.svg, n.opSvg].forEach(function (id) { if (id && id.charAt(0) !== "m" && !(id in byId)) { byId[id] = i; } });
  });
  Object.keys(S.groups).forEach(function (id) {
    S.groups[id].addEventListener("click", function () {
      if (id.charAt(0) === "m") { select(id); } else if (id in byId) { select(byId[id]); }
    });
  });
  wireZoom();
}

function wireZoom() {
  const svg = document.querySelector("#gg-graph svg");
  const box = document.getElementById("gg-graph");
  if (!svg) { return; }
  const w = parseFloat(svg.getAttribute("width"));
  const h = parseFloat(svg.getAttribute("height"));
  let scale = 1;
  function zoom(s) {
    scale = Math.min(Math.max(s, 0.05), 8);
    svg.setAttribute("width", (w * scale).toFixed(1) + "pt");
    svg.setAttribute("height", (h * scale).toFixed(1) + "pt");
  }
  document.getElementById("gg-zoom-in").addEventListener("click", function () { zoom(scale * 1.25); });
  document.getElementById("gg-zoom-out").addEventListener("click", function () { zoom(scale / 1.25); });
  document.getElementById("gg-zoom-fit").addEventListener("click", function () {
    zoom((box.clientWidth - 8) / (w * 4 / 3));        // pt -> px
  });
}

/* --- the scripting API ------------------------------------------------------------------------- */
window.graphgrad = Object.freeze({
  steps: function () { return S.total; },
  forwardSteps: function () { return S.F; },
  position: function () { return S.pos; },
  reset: function () { return goto(0); },
  step: function (n) { return goto(Math.min(S.pos + count(n, "step"), S.total)); },
  back: function (n) { return goto(Math.max(S.pos - count(n, "back"), 0)); },
  goto: goto,
  shown: function () {
    const out = {};
    S.nodes.forEach(function (n, i) {
      out[n.key] = { data: S.shownData[i] ? nested(S.data[i]) : null, grad: nested(S.grad[i]) };
    });
    return out;
  },
  inspect: function (key) {
    const i = S.nodes.findIndex(function (n) { return n.key === key; });
    if (i < 0) { throw new RangeError("graphgrad.inspect: no node has the key " + JSON.stringify(key)); }
    select(i);
    return key;
  },
  inspected: function () { return inspectBox.textContent; },
  explained: function () { return stepBox.textContent; }
});

wire();
renderLegend(S, document.getElementById("gg-legend"));
render();
