"""The inline CSS and script of the HTML report (kept apart so html.py stays readable).

The script is the only filtering code: the checkboxes and selects call ``apply``,
and so does reading the URL fragment on load, so ``report.html#kind=status`` shows
exactly what ticking only "status" shows.
"""

from __future__ import annotations

__all__ = ["SCRIPT", "STYLE"]

STYLE = """
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d2330;--muted:#667085;--line:#dde1e7;
--a:#1f5fbf;--a-bg:#eef4fd;--b:#a3461b;--b-bg:#fdf1eb;--bad:#c0262d;--bad-bg:#fdecec;
--warn:#a15c00;--warn-bg:#fff4e0;--ok:#17803d;--ok-bg:#e8f6ed;--chip:#eef0f3;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
@media (prefers-color-scheme:dark){:root{--bg:#14171c;--card:#1d2128;--ink:#e4e7ec;
--muted:#98a2b3;--line:#333a45;--a:#7fb0ff;--a-bg:#1b2a40;--b:#ffaa80;--b-bg:#3a251b;
--bad:#ff7b7b;--bad-bg:#3d1f22;--warn:#ffc266;--warn-bg:#3a2d14;--ok:#6fdc8c;--ok-bg:#17301f;
--chip:#2a303a}}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--ink);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
code,pre{font-family:var(--mono);font-size:12.5px}
.wrap{max-width:1280px;margin:0 auto;padding:0 20px}
.muted{color:var(--muted)}
header.top{background:var(--card);border-bottom:1px solid var(--line);padding:16px 0 10px}
.title{display:flex;align-items:center;gap:16px;flex-wrap:wrap}
h1{font-size:22px;margin:0}
.banner{padding:3px 12px;border-radius:999px;font-weight:600}
.banner.ok{background:var(--ok-bg);color:var(--ok)}
.banner.bad{background:var(--bad-bg);color:var(--bad)}
.banner.warn{background:var(--warn-bg);color:var(--warn)}
.clouds{display:flex;align-items:stretch;gap:12px;margin:12px 0;flex-wrap:wrap}
.cloud{flex:1 1 300px;display:flex;gap:10px;padding:8px 12px;border-radius:8px;
border:1px solid var(--line);overflow-wrap:anywhere}
.cloud-a{background:var(--a-bg)}.cloud-b{background:var(--b-bg)}
.cloud-name{font-weight:600}
.vs{align-self:center;color:var(--muted);font-weight:600}
.tag{display:inline-flex;align-items:center;justify-content:center;min-width:22px;height:22px;
border-radius:6px;color:#fff;font-weight:700;font-size:12px}
.cloud-a .tag,.side-a .tag{background:var(--a)}.cloud-b .tag,.side-b .tag{background:var(--b)}
.stats{display:flex;gap:8px;flex-wrap:wrap}
.stat{display:flex;align-items:baseline;gap:6px;padding:4px 10px;border-radius:8px;
background:var(--chip)}
.stat .n{font-size:18px;font-weight:700}
.stat.bad .n{color:var(--bad)}.stat.warn .n{color:var(--warn)}.stat.ok .n{color:var(--ok)}
.meta{margin:10px 0 0;color:var(--muted)}
nav.filters{position:sticky;top:0;z-index:5;background:var(--card);
border-bottom:1px solid var(--line);box-shadow:0 2px 6px rgba(0,0,0,.05)}
nav.filters .wrap{display:flex;align-items:center;gap:14px;flex-wrap:wrap;padding-top:8px;
padding-bottom:8px}
fieldset.kinds{border:0;margin:0;padding:0;display:flex;gap:6px;flex-wrap:wrap;
align-items:center}
fieldset.kinds legend{float:left;margin-right:4px;font-weight:600}
label.chk{display:inline-flex;align-items:center;gap:4px;padding:2px 8px;border-radius:999px;
background:var(--chip);cursor:pointer;user-select:none}
label.chk .n,.sel{color:var(--muted)}
label.sel{display:inline-flex;gap:6px;align-items:center;font-weight:600}
select,input[type=search],button{font:inherit;padding:3px 6px;border:1px solid var(--line);
border-radius:6px;background:var(--card);color:var(--ink)}
button{cursor:pointer}
#shown{margin-left:auto}
main{padding-top:8px;padding-bottom:24px}
h2{font-size:18px;margin:20px 0 8px}
h3{font-size:15px;margin:18px 0 6px;font-weight:500}
h4{font-size:13px;margin:10px 0 6px;font-weight:600}
h4 code{font-weight:400;color:var(--muted);margin-left:6px}
.finding{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--bad);
border-radius:8px;padding:10px 12px;margin:0 0 10px}
.finding.sev-warning{border-left-color:var(--warn)}.finding.sev-info{border-left-color:var(--muted)}
.card-head{display:flex;align-items:center;gap:8px;flex-wrap:wrap}
.summary{font-weight:600;flex:1 1 300px;overflow-wrap:anywhere}
.verdicts{display:flex;gap:6px}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;
background:var(--chip);white-space:nowrap}
.badge.mv{font-family:var(--mono)}
.badge.kind{background:#e9e3fb;color:#5b3cc4}
.badge.kind-status{background:var(--bad-bg);color:var(--bad)}
.badge.kind-body-shape{background:#e3f0fb;color:#135e96}
.badge.kind-error-code,.badge.kind-error-detail{background:var(--warn-bg);color:var(--warn)}
.badge.v-yes{background:var(--bad-bg);color:var(--bad)}
.badge.v-bump{background:var(--warn-bg);color:var(--warn)}
.badge.v-no{color:var(--muted);font-weight:500}
.where{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:2px 10px;
margin:8px 0;align-items:baseline}
.where .lbl{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.where code,.where span{overflow-wrap:anywhere}
code.path{font-weight:600}
.sev{color:var(--muted)}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.side{border-radius:6px;padding:6px 10px;min-width:0}
.side-a{background:var(--a-bg)}.side-b{background:var(--b-bg)}
.side-lbl{font-size:12px;font-weight:600;margin-bottom:4px;display:flex;gap:6px;align-items:center}
.side pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;max-height:320px;overflow:auto}
.absent{font-style:italic;color:var(--muted)}
details.extra{margin-top:6px}
details.extra table{border-collapse:collapse;width:100%}
details.extra th{text-align:left;vertical-align:top;padding:2px 8px 2px 0;color:var(--muted);
font-weight:500;width:1%;white-space:nowrap}
details.extra pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
table.grid{border-collapse:collapse;width:100%;background:var(--card)}
table.grid th,table.grid td{border:1px solid var(--line);padding:3px 8px;text-align:left;
vertical-align:top;overflow-wrap:anywhere}
table.grid th{background:var(--chip)}
tr.has td{background:var(--bad-bg)}tr.skip td{color:var(--muted)}
summary{cursor:pointer;font-weight:600;margin:14px 0 6px}
p.none{padding:18px;border-radius:8px;background:var(--ok-bg);color:var(--ok);font-weight:600}
footer{padding:12px 20px 30px;font-size:12px}
@media (max-width:820px){.sides{grid-template-columns:1fr}
.where{grid-template-columns:max-content 1fr}}
"""

SCRIPT = r"""
(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  if (!cards.length) { return; }
  var kinds = Array.prototype.slice.call(document.querySelectorAll("input[name=kind]"));
  var mv = document.getElementById("f-mv");
  var verdict = document.getElementById("f-verdict");
  var text = document.getElementById("f-text");
  var shown = document.getElementById("shown");
  var none = document.getElementById("none-shown");
  function versionsOf(card) { return card.dataset.mvs.split(" ").length; }
  var total = cards.reduce(function (n, card) { return n + versionsOf(card); }, 0);

  function decode(value) {
    try { return decodeURIComponent(value); } catch (err) { return value; }
  }

  function matchesVerdict(d, want) {
    var breaks = d.breaks === "1", bump = d.bump === "1";
    if (want === "breaks") { return breaks; }
    if (want === "bump") { return bump; }
    if (want === "either") { return breaks || bump; }
    if (want === "neither") { return !breaks && !bump; }
    return true;
  }

  function writeHash() {
    var parts = [];
    var off = kinds.filter(function (k) { return !k.checked; });
    if (off.length) {
      parts.push("kind=" + kinds.filter(function (k) { return k.checked; })
        .map(function (k) { return encodeURIComponent(k.value); }).join(","));
    }
    if (mv.value) { parts.push("mv=" + encodeURIComponent(mv.value)); }
    if (verdict.value) { parts.push("verdict=" + encodeURIComponent(verdict.value)); }
    if (text.value) { parts.push("q=" + encodeURIComponent(text.value)); }
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash !== location.hash && history.replaceState) {
      history.replaceState(null, "", hash || location.pathname + location.search);
    }
  }

  function apply() {
    var on = {};
    kinds.forEach(function (k) { if (k.checked) { on[k.value] = true; } });
    var wantMv = mv.value, wantVerdict = verdict.value;
    var q = text.value.trim().toLowerCase();
    var count = 0;
    // A card holds the same finding at several microversions: each one counts.
    function shownIn(card) {
      if (card.hidden) { return 0; }
      return wantMv ? 1 : card.dataset.mvs.split(" ").length;
    }
    cards.forEach(function (card) {
      var d = card.dataset;
      var ok = on[d.kind] === true &&
        (!wantMv || d.mvs.split(" ").indexOf(wantMv) !== -1) &&
        matchesVerdict(d, wantVerdict) &&
        (!q || card.textContent.toLowerCase().indexOf(q) !== -1);
      card.hidden = !ok;
      count += shownIn(card);
    });
    document.querySelectorAll("div.call").forEach(function (group) {
      group.hidden = !group.querySelector("article.finding:not([hidden])");
    });
    document.querySelectorAll("section.scenario").forEach(function (section) {
      var inside = Array.prototype.slice.call(section.querySelectorAll("article.finding"));
      var visible = inside.reduce(function (n, card) { return n + shownIn(card); }, 0);
      var all = inside.reduce(function (n, card) { return n + versionsOf(card); }, 0);
      section.hidden = visible === 0;
      section.querySelector(".count").textContent =
        visible === all ? "(" + all + ")" : "(" + visible + " of " + all + ")";
    });
    shown.textContent = count + " of " + total + " findings shown";
    none.hidden = count !== 0;
    writeHash();
  }

  function readHash() {
    var params = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      if (!pair) { return; }
      var at = pair.indexOf("=");
      var key = at < 0 ? pair : pair.slice(0, at);
      params[key] = at < 0 ? "" : pair.slice(at + 1);
    });
    if ("kind" in params) {
      var wanted = params.kind.split(",").map(decode);
      kinds.forEach(function (k) { k.checked = wanted.indexOf(k.value) !== -1; });
    } else {
      kinds.forEach(function (k) { k.checked = true; });
    }
    mv.value = params.mv ? decode(params.mv) : "";
    if (mv.selectedIndex < 0) { mv.value = ""; }
    verdict.value = params.verdict ? decode(params.verdict) : "";
    if (verdict.selectedIndex < 0) { verdict.value = ""; }
    text.value = params.q ? decode(params.q) : "";
  }

  kinds.forEach(function (k) { k.addEventListener("change", apply); });
  mv.addEventListener("change", apply);
  verdict.addEventListener("change", apply);
  text.addEventListener("input", apply);
  document.getElementById("kinds-all").addEventListener("click", function () {
    kinds.forEach(function (k) { k.checked = true; }); apply();
  });
  document.getElementById("kinds-none").addEventListener("click", function () {
    kinds.forEach(function (k) { k.checked = false; }); apply();
  });
  document.getElementById("f-reset").addEventListener("click", function () {
    kinds.forEach(function (k) { k.checked = true; });
    mv.value = ""; verdict.value = ""; text.value = ""; apply();
  });
  window.addEventListener("hashchange", function () { readHash(); apply(); });
  readHash();
  apply();
})();
"""
