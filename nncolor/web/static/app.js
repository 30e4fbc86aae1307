// The page of `nncolor serve`: upload, paint hints, compare, download.
// Hints are kept as strokes in coordinates relative to the image (0-1), so the server can
// draw them on the preview while painting and on the full-size photo for the download.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  photo: null,          // the server's id of the photo
  downloadName: "colorized.png",
  strokes: [],          // {color, size, points: [[x, y], ...]}
  drawing: null,        // the stroke being painted
  reference: null,
  gray: null, original: null,
  busy: false, again: false, renders: 0, tasks: 0,
};

// ------------------------------------------------------------- status and errors
function showError(text) {
  $("message").textContent = text;
  $("message").hidden = false;
  say("");  // not "reading..." any more: the message says what happened
}
function clearError() {
  $("message").hidden = true;
  $("message").textContent = "";
}

// Runs fn while the progress bar shows what is being done and for how long.
async function working(label, fn) {
  state.tasks += 1;
  const start = performance.now();
  const tick = () => {
    const seconds = Math.round((performance.now() - start) / 1000);
    $("status-text").textContent = seconds >= 1 ? `${label}... ${seconds} s` : `${label}...`;
  };
  tick();
  $("progress").hidden = false;
  document.body.dataset.busy = "true";
  const timer = setInterval(tick, 500);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    state.tasks -= 1;
    if (state.tasks === 0) {
      $("progress").hidden = true;
      document.body.dataset.busy = "false";
    }
  }
}
function say(text) {
  $("status-text").textContent = text;
}

async function call(path, options) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    throw new Error("the server cannot be reached: is `nncolor serve` still running?");
  }
  if (!response.ok) {
    let text = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body.error) text = body.error;
    } catch (error) { /* not JSON: keep the status line */ }
    throw new Error(text);
  }
  return response;
}
async function upload(path, file) {
  const form = new FormData();
  form.append("file", file, file.name);
  return (await call(path, { method: "POST", body: form })).json();
}
function post(path, body) {
  return call(path, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}
function job() {
  return {
    photo: state.photo, model: $("model").value, decoder: $("decoder").value,
    reference: state.reference, strokes: state.strokes,
  };
}

// ----------------------------------------------------------------- options
async function loadOptions() {
  const options = await (await call("/api/options")).json();
  for (const name of options.models) $("model").add(new Option(name, name));
  for (const name of options.decoders) $("decoder").add(new Option(name, name));
  await showPalette();
  document.body.dataset.ready = "true";
}

// The model's codebook colors: a hint takes the nearest of them, so offer them to pick.
async function showPalette() {
  const model = $("model").value;
  const body = await (await call(`/api/palette?model=${encodeURIComponent(model)}`)).json();
  const swatches = body.colors.map((color) => {
    const button = document.createElement("button");
    button.type = "button";
    button.style.background = color;
    button.title = color;
    button.setAttribute("aria-label", `hint color ${color}`);
    button.addEventListener("click", () => { $("color").value = color; });
    return button;
  });
  $("palette").replaceChildren("model's colors:", ...swatches);
}

// ------------------------------------------------------------------ photo
async function openPhoto(file) {
  if (!file) return;
  clearError();
  try {
    const photo = await working(`reading ${file.name}`, () => upload("/api/photo", file));
    state.photo = photo.id;
    state.pixels = photo.width * photo.height;
    state.downloadName = photo.download_name;
    state.strokes = [];
    state.gray = photo.gray;
    state.original = photo.original;
    $("gray").src = photo.gray;
    $("result").src = photo.gray;
    $("hints").width = photo.preview_width;
    $("hints").height = photo.preview_height;
    $("drop-here").hidden = true;
    $("compare").classList.add("ready");
    $("extras").hidden = true;
    const before = $("before");
    before.length = 1;
    if (photo.original) before.add(new Option("the original colors", "original"));
    compareWith();
    drawHints();
    const kind = photo.is_color ? "a color photo, shown in gray as the colorizer sees it"
                                : "a gray photo";
    document.body.dataset.photo = photo.name;
    $("photo-info").textContent =
      `(${photo.name}: ${photo.width} x ${photo.height}, ${photo.bit_depth}-bit, ${kind})`;
    enable();
    await colorize();
  } catch (error) {
    showError(error.message);
  }
}

function enable() {
  const has = state.photo !== null;
  for (const id of ["explore", "download"]) $(id).disabled = !has;
  $("undo").disabled = !has || state.strokes.length === 0;
  $("clear").disabled = !has || state.strokes.length === 0;
}

// ---------------------------------------------------------------- colorize
// One request at a time; changes made meanwhile are sent once it is back.
async function colorize() {
  if (state.photo === null) return;
  if (state.busy) {
    state.again = true;
    return;
  }
  state.busy = true;
  try {
    do {
      state.again = false;
      const body = await working("colorizing the preview",
        async () => (await post("/api/colorize", job())).json());
      $("result").src = body.image;
      state.secondsPerPixel = body.seconds / (canvas.width * canvas.height);
      state.renders += 1;
      document.body.dataset.renders = String(state.renders);
      say(`colorized the preview in ${body.seconds.toFixed(1)} s` +
          (state.strokes.length ? ` with ${state.strokes.length} hint(s)` : ""));
    } while (state.again);
  } catch (error) {
    showError(error.message);
  } finally {
    state.busy = false;
  }
}

// ------------------------------------------------------------------- hints
const canvas = $("hints");

function pointAt(event) {
  const box = canvas.getBoundingClientRect();
  const clamp = (v) => Math.min(1, Math.max(0, v));
  return [clamp((event.clientX - box.left) / box.width),
          clamp((event.clientY - box.top) / box.height)];
}

function drawHints() {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (const stroke of state.strokes) {
    const r = stroke.size * canvas.width;
    const pts = stroke.points.map(([x, y]) => [x * canvas.width, y * canvas.height]);
    // a thin white rim keeps a dark hint visible on a dark photo
    for (const [color, extra] of [["rgba(255,255,255,0.8)", 1.5], [stroke.color, 0]]) {
      ctx.fillStyle = ctx.strokeStyle = color;
      ctx.lineWidth = 2 * (r + extra);
      ctx.lineCap = ctx.lineJoin = "round";
      ctx.beginPath();
      ctx.arc(pts[0][0], pts[0][1], r + extra, 0, 2 * Math.PI);
      ctx.fill();
      if (pts.length > 1) {
        ctx.beginPath();
        ctx.moveTo(pts[0][0], pts[0][1]);
        for (const [x, y] of pts.slice(1)) ctx.lineTo(x, y);
        ctx.stroke();
      }
    }
  }
}

canvas.addEventListener("pointerdown", (event) => {
  if (state.photo === null) return;
  canvas.setPointerCapture(event.pointerId);
  const box = canvas.getBoundingClientRect();
  // the brush slider is a radius in screen pixels; stored relative to the image width
  const size = Number($("brush").value) / box.width;
  state.drawing = { color: $("color").value, size, points: [pointAt(event)] };
  state.strokes.push(state.drawing);
  drawHints();
});
canvas.addEventListener("pointermove", (event) => {
  if (!state.drawing) return;
  const [x, y] = pointAt(event);
  const last = state.drawing.points[state.drawing.points.length - 1];
  if (Math.hypot(x - last[0], y - last[1]) < 0.003) return;
  state.drawing.points.push([x, y]);
  drawHints();
});
function endStroke() {
  if (!state.drawing) return;
  state.drawing = null;
  enable();
  colorize();
}
canvas.addEventListener("pointerup", endStroke);
canvas.addEventListener("pointercancel", endStroke);

$("undo").addEventListener("click", () => {
  state.strokes.pop();
  drawHints();
  enable();
  colorize();
});
$("clear").addEventListener("click", () => {
  state.strokes = [];
  drawHints();
  enable();
  colorize();
});

// ---------------------------------------------------------- compare slider
function compareWith() {
  const which = $("before").value;
  $("before-image").src = which === "original" && state.original ? state.original : state.gray;
  slide();
}
function slide() {
  const v = Number($("slider").value);
  $("before-image").style.clipPath = `inset(0 ${100 - v}% 0 0)`;
  $("divider").style.left = `${v}%`;
}
$("slider").addEventListener("input", slide);
$("before").addEventListener("change", compareWith);

// --------------------------------------------------- model, decoder, reference
$("model").addEventListener("change", () => {
  $("extras").hidden = true;  // another model's uncertainty and alternatives
  showPalette().catch((error) => showError(error.message));
  colorize();
});
$("decoder").addEventListener("change", colorize);

$("model-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  clearError();
  try {
    const model = await working(`loading ${file.name}`, () => upload("/api/model", file));
    const option = new Option(`${model.name} (uploaded)`, model.id);
    $("model").add(option);
    $("model").value = model.id;
    await showPalette();
    say(model.n_colors === null ? `model ${model.name} loaded: a mixture of models`
      : `model ${model.name} loaded: ${model.n_colors} codebook colors`);
    await colorize();
  } catch (error) {
    showError(error.message);
  }
});

$("reference").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  clearError();
  try {
    const ref = await working(`reading ${file.name}`, () => upload("/api/reference", file));
    state.reference = ref.id;
    $("no-reference").hidden = false;
    $("no-reference").textContent = `Remove reference (${ref.name})`;
    await colorize();
  } catch (error) {
    showError(error.message);
  }
});
$("no-reference").addEventListener("click", () => {
  state.reference = null;
  $("no-reference").hidden = true;
  colorize();
});

// ------------------------------------------------- uncertainty, alternatives
$("explore").addEventListener("click", async () => {
  clearError();
  $("extras").hidden = true;  // until this model's come: none are left from another
  try {
    const body = await working("computing uncertainty and alternatives",
      async () => (await post("/api/explore", job())).json());
    $("uncertainty").src = body.uncertainty;
    const samples = $("samples");
    samples.replaceChildren();
    body.samples.forEach((url, i) => {
      const figure = document.createElement("figure");
      const img = document.createElement("img");
      img.src = url;
      img.alt = `alternative ${i + 1}`;
      const caption = document.createElement("figcaption");
      caption.textContent = `Alternative ${i + 1}: a draw from the model's colors`;
      figure.append(img, caption);
      samples.append(figure);
    });
    $("extras").hidden = false;
    say(`mean uncertainty ${body.mean_uncertainty.toFixed(2)} (0: sure, 1: no idea)`);
  } catch (error) {
    showError(error.message);
  }
});

// ---------------------------------------------------------------- download
// The full-size photo's size, and the time the preview's pace suggests for it.
function fullSize() {
  const megapixels = `${(state.pixels / 1e6).toFixed(1)} MP`;
  if (!state.secondsPerPixel) return megapixels;
  const seconds = state.secondsPerPixel * state.pixels;
  const about = seconds < 90 ? `${Math.max(1, Math.round(seconds))} s`
                             : `${Math.round(seconds / 60)} min`;
  return `${megapixels}; at the preview's pace about ${about}`;
}

$("download").addEventListener("click", async () => {
  clearError();
  try {
    const blob = await working(`colorizing the full-size photo (${fullSize()})`,
      async () => (await post("/api/download", job())).blob());
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = state.downloadName;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    say(`downloaded ${state.downloadName} (${(blob.size / 1e6).toFixed(1)} MB)`);
  } catch (error) {
    showError(error.message);
  }
});

// -------------------------------------------------------------- pick or drop
$("photo").addEventListener("change", (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  openPhoto(file);
});
document.addEventListener("dragover", (event) => {
  event.preventDefault();
  document.body.classList.add("dragging");
});
document.addEventListener("dragleave", () => document.body.classList.remove("dragging"));
document.addEventListener("drop", (event) => {
  event.preventDefault();
  document.body.classList.remove("dragging");
  openPhoto(event.dataTransfer.files[0]);
});

loadOptions().catch((error) => showError(error.message));
