"""The report page's stylesheet and its one small script, and the colours they use.

Every text colour is listed in `TEXT_ON` with the backgrounds it is drawn on,
so that a test can hold each pair to WCAG AA (a contrast ratio of 4.5 at
least). The page shows everything without the script: it only lights a
volume's row as the volume is hovered or focused, and the reverse.
"""

from __future__ import annotations

INK = "#1b1f24"  # text
MUTED = "#4f5964"  # secondary text: the description, hints, footnotes
LINK = "#0a58a8"
WARNING = "#7a3300"
PAGE = "#ffffff"
HEAD = "#e9edf2"  # the table's header row
TOTAL = "#f1f3f6"  # its Total row
LIT = "#ffe08a"  # a row or a volume lit by hovering or focusing its counterpart
WARNED = "#fff4e0"  # the warnings' box
RULE = "#c5ccd3"
FOCUS = "#9c4a00"  # a lit volume's outline (a graphic, not text)

# Each text colour and the backgrounds it is drawn on.
TEXT_ON = {
    INK: (PAGE, HEAD, TOTAL, LIT, WARNED),
    MUTED: (PAGE, LIT),
    LINK: (PAGE, HEAD, TOTAL, LIT),
    WARNING: (WARNED,),
}

CSS = f"""\
:root{{color-scheme:light}}
*{{box-sizing:border-box}}
html{{-webkit-text-size-adjust:100%;text-size-adjust:100%}}
body{{margin:0;color:{INK};background:{PAGE};\
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}}
header,main{{max-width:1240px;margin:0 auto;padding:0 16px}}
h1{{font-size:1.75rem;line-height:1.25;margin:1.25rem 0 .25rem;overflow-wrap:anywhere}}
h2{{font-size:1.3rem;margin:2rem 0 .5rem;padding-bottom:.2rem;border-bottom:1px solid {RULE}}}
p,li,summary{{overflow-wrap:anywhere}}
a{{color:{LINK}}}
.muted{{color:{MUTED}}}
.scroll{{overflow-x:auto;max-width:100%;border:1px solid {RULE};border-radius:4px}}
.scroll:focus-visible{{outline:3px solid {FOCUS}}}
.drawing svg{{display:block;max-width:none}}
svg g[id]{{outline:none}}
svg g.lit>rect,svg g.lit>polygon,svg g:focus>rect,svg g:focus>polygon,\
svg g[id]:hover:not(:has(g:hover))>rect,svg g[id]:hover:not(:has(g:hover))>polygon\
{{stroke:{FOCUS};stroke-width:2}}
svg g[id]:focus-visible,svg g[id]:target{{outline:2px solid {FOCUS};outline-offset:2px}}
table{{border-collapse:collapse;font-size:.875rem;font-variant-numeric:tabular-nums;\
white-space:nowrap}}
caption{{text-align:left;padding:.5rem .6rem;font-weight:600}}
th,td{{padding:.25rem .6rem;border-bottom:1px solid #dde2e7;text-align:left;vertical-align:top}}
thead th{{background:{HEAD};font-weight:600}}
td.n{{text-align:right}}
tbody th{{font-weight:400;padding-left:calc(.6rem + var(--d,0)*1.25rem)}}
.branch{{color:{MUTED}}}
tfoot th,tfoot td{{font-weight:600;background:{TOTAL};border-top:2px solid #8d96a0}}
tbody tr:hover,tbody tr:focus-within,tbody tr.lit,tbody tr:target{{background:{LIT}}}
tr:hover .branch,tr.lit .branch{{color:{MUTED}}}
.totals li,.footnotes li{{margin:.2rem 0}}
.warnings{{background:{WARNED};color:{WARNING};border-left:4px solid {FOCUS};\
padding:.5rem 1rem;border-radius:4px}}
details{{margin:.25rem 0 .25rem calc(var(--d,0)*1.25rem);border-left:3px solid {RULE};\
padding-left:.6rem}}
details:target{{background:{LIT}}}
summary{{cursor:pointer;font-weight:600}}
details ul{{margin:.2rem 0 .4rem;padding-left:1.2rem}}
details li{{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.85rem}}
footer{{max-width:1240px;margin:2rem auto;padding:0 16px}}
@media (max-width:640px){{body{{font-size:15px}}header,main,footer{{padding:0 8px}}\
h1{{font-size:1.4rem}}details{{margin-left:calc(var(--d,0)*.5rem)}}}}
@media print{{body{{font-size:10pt}}header,main,footer{{max-width:none;padding:0}}\
.scroll{{overflow:visible;border:0}}.drawing svg{{max-width:100%;height:auto}}\
table{{font-size:6.5pt;white-space:normal}}th,td{{padding:.1rem .25rem}}\
tbody tr:hover,tbody tr.lit,tbody tr:target,details:target{{background:none}}\
a{{color:inherit;text-decoration:none}}h2{{break-after:avoid}}tr,details{{break-inside:avoid}}\
.hint{{display:none}}}}
"""

# Lights a volume and its row together. Without it the page loses nothing but the light.
SCRIPT = """\
(function(){var lit=[];
function set(els){lit.forEach(function(e){e.classList.remove("lit")});
lit=els.filter(Boolean);lit.forEach(function(e){e.classList.add("lit")})}
function pair(t){if(!t||!t.closest)return[];
var g=t.closest("g[id^='layer-'],g#input");
if(g)return[g,document.getElementById(g.id=="input"?"input-row":"row-"+g.id.slice(6))];
var r=t.closest("tr[data-volume]");
return r?[r,document.getElementById(r.getAttribute("data-volume"))]:[]}
document.addEventListener("mouseover",function(e){set(pair(e.target))});
document.addEventListener("focusin",function(e){set(pair(e.target))});
document.addEventListener("focusout",function(){set([])});})();
"""
