/* graphgrad explorer, part 1 of 3: numbers. Decoding the page's arrays, and writing numbers as Python's
   format(x, ".4g") does, so the page reads like the drawings and the notebooks. */
/* exported decode, fmtNum, valueText, nested, shapeText */

const NON_FINITE = { "nan": NaN, "inf": Infinity, "-inf": -Infinity };

/* An encoded array (see capture.encode) as {shape, values, n, stats, bad, int}. */
function decode(enc) {
  if (!enc) { return null; }
  const out = { shape: enc.s, values: null, n: 1, stats: null, bad: enc.bad || 0 };
  out.shape.forEach(function (d) { out.n *= d; });
  if (enc.v) {
    out.values = enc.nf ? enc.v.map(function (x) { return typeof x === "string" ? NON_FINITE[x] : x; }) : enc.v;
  } else {
    out.n = enc.n;
    out.stats = enc.stats.length ? { mean: enc.stats[0], min: enc.stats[1], max: enc.stats[2] } : null;
  }
  return out;
}

/* x as Python writes format(x, "." + fmt.p + fmt.t). */
function fmtNum(x, fmt) {
  const upper = fmt.t === "E" || fmt.t === "G";
  if (!Number.isFinite(x)) {
    const s = Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
    return upper ? s.toUpperCase() : s;
  }
  const t = fmt.t.toLowerCase();
  let s;
  if (t === "f") {
    s = Math.abs(x) < 1e21 ? x.toFixed(Math.min(fmt.p, 100)) :      // toFixed turns to "1e+21" there
      BigInt(x).toString() + (fmt.p ? "." + "0".repeat(fmt.p) : "");   // an integer: its exact digits
  } else if (t === "e") {
    s = expo(x.toExponential(Math.min(fmt.p, 100)));
  } else {
    s = general(x, Math.max(fmt.p, 1));
  }
  if (Object.is(x, -0) && s.charAt(0) !== "-") { s = "-" + s; }
  return upper ? s.toUpperCase() : s;
}

/* Python's "g": fixed notation when -4 <= exponent < precision, trailing zeros dropped. */
function general(x, p) {
  const e = x.toExponential(p - 1);
  const exp = parseInt(e.slice(e.indexOf("e") + 1), 10);
  if (exp >= -4 && exp < p) {
    return strip(x.toFixed(Math.max(p - 1 - exp, 0)));
  }
  const parts = e.split("e");
  return expo(strip(parts[0]) + "e" + parts[1]);
}

function strip(s) {
  return s.indexOf(".") < 0 ? s : s.replace(/0+$/, "").replace(/\.$/, "");
}

/* JavaScript's "1.5e+0" as Python's "1.5e+00". */
function expo(s) {
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

function shapeText(shape) {
  return "(" + shape.join(", ") + (shape.length === 1 ? ",)" : ")");
}

/* The text a label shows: the values (nested like the array) when at most maxValues, else mean/min/max. */
function valueText(val, fmt, maxValues, isInt) {
  if (val === null) { return "\u2014"; }
  const num = isInt ? String : function (x) { return fmtNum(x, fmt); };
  if (val.values === null || val.values.length > maxValues) { return statsText(val, fmt, num); }
  if (val.shape.length === 0) { return num(val.values[0]); }
  return nestedText(val.values, val.shape, 0, { i: 0 }, num);
}

function nestedText(values, shape, axis, at, num) {
  const parts = [];
  for (let k = 0; k < shape[axis]; k++) {
    if (axis === shape.length - 1) { parts.push(num(values[at.i++])); }
    else { parts.push(nestedText(values, shape, axis + 1, at, num)); }
  }
  return "[" + parts.join(", ") + "]";
}

function statsText(val, fmt, num) {
  let stats = val.stats;
  let bad = val.bad;
  if (val.values !== null) {
    const ok = val.values.filter(Number.isFinite);
    bad = val.values.length - ok.length;
    stats = ok.length ? { mean: ok.reduce(function (a, b) { return a + b; }, 0) / ok.length,
      min: Math.min.apply(null, ok), max: Math.max.apply(null, ok) } : null;
  }
  const parts = [];
  if (stats) {
    parts.push("mean " + fmtNum(stats.mean, fmt) + "  min " + num(stats.min) + "  max " + num(stats.max));
  }
  if (bad) { parts.push(bad + " nan/inf"); }
  return parts.join("  ") || "empty";
}

/* What window.graphgrad.shown() reports: a number for a scalar, nested lists for a tensor, or
   {shape, mean, min, max} for a tensor shipped without its values (over 10,000 elements). */
function nested(val) {
  if (val === null) { return null; }
  if (val.values === null) {
    const s = val.stats || { mean: NaN, min: NaN, max: NaN };
    return { shape: val.shape.slice(), mean: s.mean, min: s.min, max: s.max };
  }
  if (val.shape.length === 0) { return val.values[0]; }
  return nestedList(val.values, val.shape, 0, { i: 0 });
}

function nestedList(values, shape, axis, at) {
  const out = [];
  for (let k = 0; k < shape[axis]; k++) {
    out.push(axis === shape.length - 1 ? values[at.i++] : nestedList(values, shape, axis + 1, at));
  }
  return out;
}
