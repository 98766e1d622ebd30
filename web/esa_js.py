"""The error-span screen's browser side (`web.esa_page` serves it): marking spans, the score
sliders, the consistency nudges and the drafts, as JavaScript and CSS strings.

Offsets are code points, as Python ``str`` indices: a DOM point in a candidate's text becomes
``Array.from(range.toString()).length`` of the range from the text's start to that point (the
text element holds the candidate's characters and nothing else: the caret and the missing-content
markers are empty elements whose look comes from CSS), and an offset becomes a DOM point by
walking the text nodes in code points. The cursor moves by grapheme (a flag or an accented letter
is one step) and by word (``Intl.Segmenter``), never inside a surrogate pair. Every action saves
the screen's marks, scores and post-edits in ``localStorage`` (``hintmt-esa:<key>:<assignment>``,
the key a hash of the link's token), so a closed tab reopens the half-done screen; ``collect``
hands them to the submit event.
"""

ESA_JS = r"""(() => {
if (window.hintmtEsa) return;
const seg = (g) => (window.Intl && Intl.Segmenter) ? new Intl.Segmenter(undefined, {granularity: g}) : null;
const GRAPHEMES = seg("grapheme"), WORDS = seg("word");
const ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);
const S = {screen: null, cands: [], started: 0, earlier: 0, root: null};
const ANCHORS = [[0, "no meaning preserved"], [33, "some meaning preserved"],
  [66, "most meaning preserved, few grammar mistakes"], [100, "perfect meaning and grammar"]];

function breaks(text, cps) {  // grapheme and word boundaries, in code points
  const at = new Map(); let u = 0;
  cps.forEach((ch, i) => { at.set(u, i); u += ch.length; }); at.set(u, cps.length);
  const graph = GRAPHEMES ? [...GRAPHEMES.segment(text)].map((s) => at.get(s.index)) : cps.map((_, i) => i);
  graph.push(cps.length);
  const words = WORDS ? [...WORDS.segment(text)].filter((s) => s.isWordLike)
    .map((s) => [at.get(s.index), at.get(s.index + s.segment.length)]) : [];
  return {graph, words};
}
function fits(spans, n) {
  return (Array.isArray(spans) ? spans : []).filter((s) => s && Number.isInteger(s.start) &&
    Number.isInteger(s.end) && 0 <= s.start && s.start <= s.end && s.end <= n &&
    (s.severity === "minor" || s.severity === "major"))
    .map((s) => ({start: s.start, end: s.end, severity: s.severity}));
}
function candidate(v, draft) {
  const cps = Array.from(v.text);
  const c = {name: v.name, label: v.label, text: v.text, cps, stored: !!v.stored, ...breaks(v.text, cps),
    spans: fits(v.spans, cps.length), score: v.score ?? null, post_edit: v.post_edit ?? v.text,
    dismissed: {}, anchor: null, caret: 0, info: ""};
  if (!c.stored && draft) {
    c.spans = fits(draft.spans, cps.length);
    c.score = Number.isFinite(draft.score) ? draft.score : null;
    if (typeof draft.post_edit === "string") c.post_edit = draft.post_edit;
    c.dismissed = draft.dismissed || {};
  }
  sortSpans(c);
  return c;
}
const sortSpans = (c) => c.spans.sort((x, y) => x.start - y.start || x.end - y.end);
const snippet = (c, s, e) => { const t = c.cps.slice(s, e).join(""); return t.length > 40 ? t.slice(0, 39) + "…" : t; };
const selection = (c) => c.anchor === null ? null : [Math.min(c.anchor, c.caret), Math.max(c.anchor, c.caret)];
function overlaps(x, s, e) {
  if (s === e) return x.start < s && s < x.end;
  if (x.start === x.end) return s < x.start && x.start < e;
  return x.start < e && s < x.end;
}
function at(c, p) {  // the mark at the cursor: a missing-content marker there, a span over it or just before it
  let k = c.spans.findIndex((x) => x.start === p && x.end === p);
  if (k < 0) k = c.spans.findIndex((x) => x.start <= p && p < x.end);
  if (k < 0) k = c.spans.findIndex((x) => x.start < p && x.end === p);
  return k;
}
function mark(c, severity) {
  const sel = selection(c);
  if (!sel) {
    const k = at(c, c.caret);
    if (k < 0) return say(c, "Select the wrong words first (Shift+arrows or the mouse), or put the cursor on a mark to change its severity.");
    c.spans[k].severity = severity;
    return say(c, `The mark is now ${severity}.`);
  }
  let [s, e] = sel;
  while (s < e && /\s/u.test(c.cps[s])) s++;
  while (e > s && /\s/u.test(c.cps[e - 1])) e--;
  if (s === e) return say(c, "Only spaces are selected.");
  const same = c.spans.findIndex((x) => x.start === s && x.end === e);
  if (same >= 0) c.spans[same].severity = severity;
  else if (c.spans.some((x) => overlaps(x, s, e))) return say(c, "That overlaps a mark: remove the mark first (click it, or Delete with the cursor on it).");
  else c.spans.push({start: s, end: e, severity});
  sortSpans(c); c.anchor = null; c.caret = e;
  say(c, `Marked ${severity}: “${snippet(c, s, e)}”.`);
}
function missing(c) {
  const p = c.caret;
  if (c.spans.some((x) => x.start === p && x.end === p)) return say(c, "Missing content is marked here already; 1 or 2 sets its severity.");
  if (c.spans.some((x) => overlaps(x, p, p))) return say(c, "The cursor is inside a mark: put it between two unmarked characters.");
  c.spans.push({start: p, end: p, severity: "minor"}); sortSpans(c); c.anchor = null;
  say(c, "Missing content marked (minor; press 2 to make it major).");
}
function removeAt(c) {
  const sel = selection(c);
  const before = c.spans.length;
  if (sel) c.spans = c.spans.filter((x) => !(x.start < sel[1] && sel[0] < x.end) && !(x.start === x.end && sel[0] <= x.start && x.start <= sel[1]));
  else { const k = at(c, c.caret); if (k >= 0) c.spans.splice(k, 1); }
  c.anchor = null;
  say(c, c.spans.length < before ? "Mark removed." : "There is no mark at the cursor.");
}
function say(c, text) { c.info = text; }
function step(c, p, dir, word) {
  const n = c.cps.length;
  if (word) {
    if (dir > 0) { const w = c.words.find((x) => x[1] > p); return w ? w[1] : n; }
    const w = [...c.words].reverse().find((x) => x[0] < p); return w ? w[0] : 0;
  }
  if (dir > 0) { const b = c.graph.find((x) => x > p); return b === undefined ? n : b; }
  const b = [...c.graph].reverse().find((x) => x < p); return b === undefined ? 0 : b;
}
function moveTo(c, to, shift) {
  if (shift && c.anchor === null) c.anchor = c.caret;
  if (!shift) c.anchor = null;
  c.caret = to;
  if (c.anchor === c.caret) c.anchor = null;
  c.info = "";
}
function move(c, dir, word, shift) {
  const sel = selection(c);
  if (!shift && sel) { c.anchor = null; c.caret = dir > 0 ? sel[1] : sel[0]; return; }
  moveTo(c, step(c, c.caret, dir, word), shift);
  const now = selection(c);
  if (now) say(c, `Selected “${snippet(c, now[0], now[1])}”: 1 marks it minor, 2 major.`);
}

function textHtml(c, caret) {  // the candidate's characters, its marks, the caret (empty elements)
  const n = c.cps.length, out = [];
  const ranges = c.spans.map((s, k) => ({...s, k})).filter((s) => s.end > s.start);
  const misses = c.spans.map((s, k) => ({...s, k})).filter((s) => s.end === s.start);
  const point = (p) => misses.some((m) => m.start === p) || caret === p || ranges.some((s) => s.start === p || s.end === p);
  for (let i = 0; i <= n;) {
    for (const m of misses.filter((x) => x.start === i))
      out.push(`<span class="esa-miss esa-${m.severity}" data-k="${m.k}" title="missing content (${m.severity}): click to remove"></span>`);
    if (caret === i) out.push('<span class="esa-caret" aria-hidden="true"></span>');
    if (i === n) break;
    let j = i + 1;
    while (j < n && !point(j)) j++;
    const r = ranges.find((s) => s.start <= i && i < s.end), t = esc(c.cps.slice(i, j).join(""));
    out.push(r ? `<mark class="esa-${r.severity}" data-k="${r.k}" title="${r.severity} error: click to remove">${t}</mark>` : t);
    i = j;
  }
  return out.join("");
}
function index(div, node, offset) {  // a DOM point → code points of the text before it
  const r = document.createRange();
  r.selectNodeContents(div);
  const n = Array.from(div.textContent).length;
  try {
    if (r.comparePoint(node, offset) < 0) return 0;
    if (r.comparePoint(node, offset) > 0) return n;
  } catch (_) { return null; }
  r.setEnd(node, offset);
  return Array.from(r.toString()).length;
}
function point(div, p) {  // code points → a DOM point
  const walk = document.createTreeWalker(div, NodeFilter.SHOW_TEXT);
  let node, last = null;
  while ((node = walk.nextNode())) {
    const cps = Array.from(node.data);
    if (p <= cps.length) return [node, cps.slice(0, p).join("").length];
    p -= cps.length; last = node;
  }
  return last ? [last, last.data.length] : [div, 0];
}
const rtl = (div) => { try { return div.matches(":dir(rtl)"); } catch (_) { return getComputedStyle(div).direction === "rtl"; } };
const cardOf = (c) => S.root && S.root.querySelector(`.esa-cand[data-c="${c.name}"]`);
const byEl = (el) => { const card = el && el.closest && el.closest(".esa-cand"); return card && S.cands.find((c) => c.name === card.dataset.c); };

function nudge(c) {
  if (c.stored || c.score === null) return null;
  if (c.spans.some((s) => s.severity === "major") && c.score > 66 && !c.dismissed.major)
    return ["major", `You marked a major error but gave ${c.score}, above 66 (“most meaning preserved”). Lower the score, make the mark minor, or keep both.`];
  if (!c.spans.length && c.score < 50 && !c.dismissed.none)
    return ["none", `You gave ${c.score} but marked no error. Mark what is wrong, or keep the score.`];
  return null;
}
function spanItem(c, s, k) {
  const gap = s.start === s.end, text = gap ? "" : snippet(c, s.start, s.end);
  const what = gap ? `missing content at character ${s.start}` : `“<bdi>${esc(text)}</bdi>”`;
  const label = gap ? what : `“${text}”`;
  const remove = c.stored ? "" : `<button type="button" class="esa-remove" data-act="remove" data-k="${k}" aria-label="remove the ${s.severity} mark ${esc(label)}">✕</button> `;
  return `<li>${remove}<span class="esa-tag esa-${s.severity}">${s.severity}</span> ${what}</li>`;
}
function update(c, text = true) {
  const card = cardOf(c);
  if (!card) return;
  const div = card.querySelector(".esa-text"), sel = selection(c);
  if (text) div.innerHTML = textHtml(c, sel ? null : c.caret);
  if (text && sel && document.activeElement === div) {
    const [a, f] = [point(div, c.anchor), point(div, c.caret)];
    getSelection().setBaseAndExtent(a[0], a[1], f[0], f[1]);
  }
  card.querySelector(".esa-spans").innerHTML = c.spans.map((s, k) => spanItem(c, s, k)).join("");
  card.querySelector(".esa-info").textContent = c.info;
  const slider = card.querySelector(".esa-score");
  if (c.score !== null) slider.value = String(c.score);
  slider.classList.toggle("esa-unset", c.score === null);
  card.querySelector(".esa-value").textContent = c.score === null ? "not scored yet" : String(c.score);
  const why = nudge(c);
  card.querySelector(".esa-nudge").innerHTML = why ? `${esc(why[1])} <button type="button" data-act="dismiss" data-kind="${why[0]}">Keep as is</button>` : "";
  saveDraft();
}

function card(c, lang, single) {
  const name = single ? "the translation" : `translation ${c.label}`;
  const tools = c.stored ? ' <span class="esa-saved">saved</span>' : `<span class="esa-tools">
    <button type="button" tabindex="-1" data-act="minor">Minor [1]</button><button type="button" tabindex="-1" data-act="major">Major [2]</button><button type="button" tabindex="-1" data-act="missing">Missing content [M]</button></span>`;
  return `<section class="esa-cand${c.stored ? " esa-stored" : ""}" data-c="${esc(c.name)}">
  <div class="esa-head"><b>${single ? "Translation" : "Translation " + esc(c.label)}</b>${tools}</div>
  <div class="esa-text" tabindex="0" dir="auto" lang="${esc(lang)}" role="group" aria-roledescription="text to mark"
    aria-label="${name}: Shift+arrows select, 1 minor, 2 major, M missing content, Delete removes a mark"></div>
  <div class="esa-info" aria-live="polite"></div>
  <ul class="esa-spans" aria-label="marked errors in ${name}"></ul>
  <label class="esa-scorebox">Score <input type="range" class="esa-score" min="0" max="100" step="1" list="esa-ticks"
    ${c.stored ? "disabled" : ""} aria-label="score of ${name}, 0 to 100"> <output class="esa-value"></output></label>
  <div class="esa-anchors" aria-hidden="true">${ANCHORS.map(([v, t]) => `<span>${v}: ${t}</span>`).join("")}</div>
  <div class="esa-nudge" role="status"></div>
  ${c.stored ? "" : `<details class="esa-pe"><summary>Post-edit (optional)</summary><textarea rows="3" dir="auto" lang="${esc(lang)}"></textarea></details>`}
</section>`;
}

const draftKey = () => `hintmt-esa:${S.screen.key}:${S.screen.assignment}`;
const spent = () => S.earlier + (Date.now() - S.started) / 1000;
function saveDraft() {
  if (!S.screen || !S.screen.assignment) return;
  const candidates = {};
  for (const c of S.cands) if (!c.stored)
    candidates[c.name] = {spans: c.spans, score: c.score, post_edit: c.post_edit, dismissed: c.dismissed};
  try { localStorage.setItem(draftKey(), JSON.stringify({spent: spent(), candidates})); } catch (_) { /* private mode */ }
}
function loadDraft() { try { return JSON.parse(localStorage.getItem(draftKey()) || "null"); } catch (_) { return null; } }
function dropDrafts(key, keep) {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const k = localStorage.key(i);
      if (k && k.startsWith(`hintmt-esa:${key}:`) && k !== keep) localStorage.removeItem(k);
    }
  } catch (_) { /* no storage */ }
}

function fromSelection(div, target) {
  const c = byEl(div), sel = getSelection();
  if (!c || !sel.rangeCount) return;
  const a = index(div, sel.anchorNode, sel.anchorOffset), f = index(div, sel.focusNode, sel.focusOffset);
  if (a === null || f === null) return;
  if (a !== f) {
    c.anchor = a; c.caret = f;
    say(c, `Selected “${snippet(c, Math.min(a, f), Math.max(a, f))}”: 1 marks it minor, 2 major.`);
    cardOf(c).querySelector(".esa-info").textContent = c.info;
    const caret = div.querySelector(".esa-caret");  // no cursor beside a selection
    if (caret) caret.remove();
    return;
  }
  c.anchor = null; c.caret = a; c.info = "";
  const hit = target && target.closest && target.closest("[data-k]");
  if (hit && div.contains(hit) && !c.stored) { c.spans.splice(Number(hit.dataset.k), 1); say(c, "Mark removed."); }
  update(c);
}
function onKey(e) {
  const div = e.target.closest && e.target.closest(".esa-text"), c = byEl(div);
  if (!c || e.metaKey) return;
  const k = e.key, plain = !e.ctrlKey && !e.altKey, edit = plain && !c.stored;
  if (k === "ArrowLeft" || k === "ArrowRight") move(c, (k === "ArrowRight") !== rtl(div) ? 1 : -1, e.ctrlKey || e.altKey, e.shiftKey);
  else if (k === "Home" || k === "End") moveTo(c, k === "Home" ? 0 : c.cps.length, e.shiftKey);
  else if (edit && (k === "1" || k === "2")) mark(c, k === "1" ? "minor" : "major");
  else if (edit && (k === "m" || k === "M")) missing(c);
  else if (!c.stored && (k === "Delete" || k === "Backspace")) removeAt(c);
  else if (k === "Escape" && c.anchor !== null) { c.anchor = null; c.info = ""; }
  else return;
  e.preventDefault(); e.stopPropagation();
  update(c);
}
function onClick(e) {
  const btn = e.target.closest && e.target.closest("button[data-act]"), c = byEl(btn);
  if (!c || c.stored) return;
  const act = btn.dataset.act;
  if (act === "minor" || act === "major") mark(c, act);
  else if (act === "missing") missing(c);
  else if (act === "remove") { c.spans.splice(Number(btn.dataset.k), 1); say(c, "Mark removed."); }
  else if (act === "dismiss") c.dismissed[btn.dataset.kind] = true;
  update(c);
  if (act === "remove") cardOf(c).querySelector(".esa-text").focus();
}
function onInput(e) {
  const c = byEl(e.target);
  if (!c || c.stored) return;
  if (e.target.classList.contains("esa-score")) { c.score = Number(e.target.value); update(c, false); }
  else if (e.target.tagName === "TEXTAREA") { c.post_edit = e.target.value; saveDraft(); }
}
function wire(root) {
  if (root.__esaWired) return;
  root.__esaWired = true;
  root.addEventListener("mousedown", (e) => { if (e.target.closest && e.target.closest(".esa-tools button")) e.preventDefault(); });
  root.addEventListener("mouseup", (e) => { const div = e.target.closest && e.target.closest(".esa-text"); if (div) setTimeout(() => fromSelection(div, e.target), 0); });
  root.addEventListener("keydown", onKey);
  root.addEventListener("click", onClick);
  root.addEventListener("input", onInput);
}
function show(root, v) {
  S.root = root; wire(root);
  if (!v || !v.assignment) {
    if (v && v.key) dropDrafts(v.key, null);
    S.screen = null; S.cands = []; root.innerHTML = "";
    return;
  }
  const stored = (x) => JSON.stringify(x.candidates.map((c) => !!c.stored));
  if (!(S.screen && S.screen.key === v.key && S.screen.assignment === v.assignment && stored(S.screen) === stored(v))) {
    S.screen = v;
    const draft = loadDraft(), drafts = (draft && draft.candidates) || {};
    S.cands = v.candidates.map((x) => candidate(x, drafts[x.name]));
    S.earlier = (draft && Number.isFinite(draft.spent)) ? draft.spent : 0;
    S.started = Date.now();
    dropDrafts(v.key, draftKey());
  }
  root.innerHTML = `<datalist id="esa-ticks">${ANCHORS.map(([x]) => `<option value="${x}"></option>`).join("")}</datalist>
    <div class="esa-cands">${S.cands.map((c) => card(c, v.lang || "", S.cands.length === 1)).join("")}</div>`;
  for (const c of S.cands) {
    const box = cardOf(c).querySelector("textarea");
    if (box) box.value = c.post_edit;
    update(c);
  }
}
function collect() {
  if (!S.screen || !S.screen.assignment) return null;
  saveDraft();
  const candidates = {};
  for (const c of S.cands) if (!c.stored) candidates[c.name] = {score: c.score, spans: c.spans, post_edit: c.post_edit};
  return {assignment: S.screen.assignment, earlier: Math.round(S.earlier * 100) / 100, candidates};
}
document.addEventListener("keydown", (e) => {
  if (!(e.ctrlKey || e.metaKey) || e.key !== "Enter" || e.repeat) return;
  const button = document.getElementById("esa-submit");
  if (button && button.offsetParent !== null && !button.disabled) { e.preventDefault(); button.click(); }
});
window.addEventListener("pagehide", saveDraft);
window.hintmtEsa = {show, collect, mount(element, props, watch) {
  const root = element.querySelector(".esa-root") || element;
  const render = () => show(root, props.value);
  render(); watch("value", render);
}};
})();"""

# gr.HTML's js_on_load (the library above comes in through the component's ``head``).
MOUNT_JS = "window.hintmtEsa.mount(element, props, watch);"
# The submit event's js: its last input (the screen component) becomes what was marked.
COLLECT_JS = "(...args) => { args[args.length - 1] = window.hintmtEsa ? window.hintmtEsa.collect() : null; return args; }"

ESA_CSS = """
#esa-instructions .dir { font-size: 1.2em; font-weight: 600; }
#esa-instructions .keys { columns: 2 22em; font-size: .92em; }
#esa-source .ctx { opacity: .45; font-size: .9em; }
#esa-source .src { font-size: 1.15em; margin: .3em 0; }
#esa-progress progress { width: 12em; vertical-align: middle; margin-left: .5em; }
.esa-cands { display: flex; gap: 1.2em; flex-wrap: wrap; }
.esa-cand { flex: 1 1 24em; border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .7em .9em; }
.esa-head { display: flex; justify-content: space-between; align-items: center; gap: .5em; flex-wrap: wrap; }
.esa-tools button, .esa-nudge button, .esa-remove { border: 1px solid var(--border-color-primary);
  border-radius: 5px; padding: .1em .55em; margin-left: .3em; background: var(--button-secondary-background-fill); cursor: pointer; }
.esa-saved { color: #15803d; font-weight: 600; }
.esa-text { white-space: pre-wrap; font-size: 1.2em; line-height: 2; padding: .4em .6em; margin: .5em 0;
  border: 1px solid var(--border-color-primary); border-radius: 6px; cursor: text; min-height: 2.4em; }
.esa-text:focus { outline: 2px solid var(--color-accent); outline-offset: 1px; }
.esa-text mark, .esa-tag, .esa-miss::before { color: #111; border-radius: 3px; }
.esa-text mark { padding: 0; cursor: pointer; }
.esa-minor { background: #fde68a; } .esa-major { background: #fca5a5; }
.esa-text mark.esa-major { text-decoration: underline wavy #b91c1c; }
.esa-miss { cursor: pointer; background: none; }
.esa-miss::before { content: "⟨missing⟩"; font-size: .7em; vertical-align: super; padding: 0 2px; }
.esa-miss.esa-minor::before { background: #fde68a; } .esa-miss.esa-major::before { background: #fca5a5; }
.esa-caret { display: none; pointer-events: none; }
.esa-text:focus .esa-caret { display: inline-block; width: 0; height: 1.2em; margin: 0 -1px; vertical-align: text-bottom;
  border-left: 2px solid currentColor; animation: esa-blink 1s steps(1) infinite; }
@keyframes esa-blink { 50% { opacity: 0; } }
.esa-info { min-height: 1.2em; font-size: .9em; opacity: .8; }
.esa-spans { list-style: none; padding: 0; margin: .2em 0; font-size: .92em; }
.esa-tag { padding: 0 .35em; font-size: .85em; }
.esa-scorebox { display: flex; align-items: center; gap: .6em; margin-top: .4em; font-weight: 600; }
.esa-score { flex: 1; } .esa-score.esa-unset { opacity: .45; }
.esa-anchors { display: flex; justify-content: space-between; font-size: .75em; opacity: .75; gap: .5em; }
.esa-anchors span:nth-child(2), .esa-anchors span:nth-child(3) { text-align: center; }
.esa-nudge:not(:empty) { margin-top: .5em; padding: .35em .6em; background: #fff7ed; color: #7c2d12;
  border-left: 3px solid #f59e0b; border-radius: 4px; }
.esa-pe { margin-top: .5em; } .esa-pe textarea { width: 100%; font-size: 1.05em; }
"""
