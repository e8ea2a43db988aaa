/** The page's whole stylesheet: system fonts, light/dark from the OS, visible focus. */
export const STYLES = `
:root{--bg:#f6f7f9;--fg:#1b1f24;--muted:#5b6470;--card:#fff;--line:#d9dde3;--accent:#2557d6;--ok:#1a7f37;
  --warn:#9a6700;--bad:#c62828;--focus:#ffbf47}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--fg:#e6e9ed;--muted:#9aa4b1;--card:#1a1f26;
  --line:#2d3540;--accent:#6d9bff;--ok:#3fb950;--warn:#d29922;--bad:#f47067}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--accent)}
header.top{display:flex;align-items:center;gap:1rem;padding:.75rem 1.25rem;border-bottom:1px solid var(--line);background:var(--card)}
header.top h1{font-size:1.15rem;margin:0}
header.top .spacer{flex:1}
main{display:grid;grid-template-columns:minmax(280px,360px) 1fr;gap:1rem;padding:1rem 1.25rem}
@media (max-width:900px){main{grid-template-columns:1fr}}
.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;margin-bottom:1rem}
.panel h2{font-size:1rem;margin:.1rem 0 .6rem;display:flex;align-items:center;gap:.5rem}
.panel h2 .spacer{flex:1}
.facts{display:grid;grid-template-columns:auto 1fr;gap:.2rem .75rem;margin:0}
.facts dt{color:var(--muted)} .facts dd{margin:0;overflow-wrap:anywhere}
.badge{display:inline-block;padding:.1rem .55rem;border-radius:999px;font-size:.85rem;font-weight:600;border:1px solid currentColor}
.badge-connected{color:var(--ok)}
.badge-connecting{color:var(--warn)}
.badge-pairing_required{color:var(--warn)}
.badge-error,.badge-not_configured{color:var(--bad)}
.problem{border-left:4px solid var(--bad);padding:.4rem .75rem;margin:.75rem 0;background:color-mix(in srgb,var(--bad) 8%,transparent)}
.problem p{margin:.2rem 0}
.pairing{border-left:4px solid var(--warn);padding:.4rem .75rem;margin:.75rem 0;background:color-mix(in srgb,var(--warn) 8%,transparent)}
.pairing h3{margin:.2rem 0;font-size:.95rem}
pre{background:var(--bg);border:1px solid var(--line);padding:.5rem;border-radius:6px;overflow:auto}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88em}
.muted{color:var(--muted)} .warn{color:var(--warn)} .fix{color:var(--fg)}
.steps{padding-left:1.2rem} .steps li.ok span[aria-hidden]{color:var(--ok)} .steps li.bad span[aria-hidden]{color:var(--bad)}
ul.plain{list-style:none;padding:0;margin:0} ul.plain li{padding:.2rem 0;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
button,select,input,textarea{font:inherit;color:inherit}
button{padding:.3rem .75rem;border-radius:6px;border:1px solid var(--line);background:var(--card);cursor:pointer}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.danger{color:var(--bad)}
button:disabled{opacity:.6;cursor:progress}
select,input,textarea{padding:.35rem .5rem;border-radius:6px;border:1px solid var(--line);background:var(--bg)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
form.create{display:grid;grid-template-columns:2fr 1fr 1fr auto;gap:.5rem;align-items:end}
form.create .wide{grid-column:1/-1}
form.create .field{display:flex;flex-direction:column;gap:.15rem}
form.create label{font-size:.85rem;color:var(--muted)}
@media (max-width:700px){form.create{grid-template-columns:1fr}}
.board{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:.75rem;margin-top:1rem}
.column{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:.5rem;min-height:6rem}
.column h3{font-size:.9rem;margin:.1rem .2rem .5rem;display:flex;justify-content:space-between}
.count{color:var(--muted);font-weight:400}
ul.cards{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:.5rem}
.card{background:var(--card);border:1px solid var(--line);border-left-width:4px;border-radius:6px;padding:.5rem .6rem}
.card.prio-high{border-left-color:var(--warn)}
.card.prio-urgent{border-left-color:var(--bad)}
.card.prio-normal{border-left-color:var(--accent)}
.card-title{margin:0 0 .25rem;font-size:.95rem;overflow-wrap:anywhere}
.card .desc{margin:.2rem 0;color:var(--muted);font-size:.85rem;white-space:pre-wrap}
.card .meta{margin:.2rem 0;font-size:.85rem}
.card .live{font-size:.85rem;margin:.3rem 0;white-space:pre-wrap;max-height:8rem;overflow:auto}
.pill{display:inline-block;padding:0 .4rem;border-radius:4px;background:var(--bg);border:1px solid var(--line);font-size:.78rem}
.card-actions{display:flex;flex-wrap:wrap;gap:.3rem;margin-top:.4rem}
.card-actions button,.card-actions select{font-size:.82rem;padding:.2rem .5rem}
.events{margin-top:.4rem;font-size:.82rem}
.event-list{padding-left:1rem;margin:.2rem 0}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);border:0}
#toast{position:fixed;bottom:1rem;right:1rem;max-width:28rem;padding:.6rem .9rem;border-radius:8px;
  background:var(--card);border:1px solid var(--line);box-shadow:0 2px 10px rgba(0,0,0,.15)}
#toast.error{border-color:var(--bad)}
.login{max-width:26rem;margin:4rem auto}
.login form{display:flex;flex-direction:column;gap:.5rem}
.skip{position:absolute;left:-999px} .skip:focus{left:1rem;top:1rem;z-index:9}
a.home{color:inherit;text-decoration:none}
.small{font-size:.82rem}
.failure{margin:.3rem 0;padding:.2rem .5rem;border-left:3px solid var(--bad);font-size:.85rem;overflow-wrap:anywhere}
.failure .fix{display:inline}
.status-running,.state-working{color:var(--accent);border-color:var(--accent)}
.status-failed,.status-aborted,.state-error{color:var(--bad);border-color:var(--bad)}
.state-waiting_approval{color:var(--warn);border-color:var(--warn)}
.status-idle,.state-idle{color:var(--ok);border-color:var(--ok)}
.activity p{margin:.15rem 0}
.approval{padding:.4rem 0}
.approval p{margin:.15rem 0}
.session-page h1{font-size:1.1rem;margin:.1rem 0 .6rem;overflow-wrap:anywhere}
ol.transcript{display:flex;flex-direction:column;gap:.5rem;margin:.5rem 0}
ol.transcript li.msg{border:1px solid var(--line);border-radius:8px;padding:.4rem .6rem;border-bottom:1px solid var(--line)}
.msg-user{background:color-mix(in srgb,var(--accent) 7%,transparent)}
.msg-tool{font-size:.85rem}
.msg-live{border-style:dashed !important}
.msg-text{white-space:pre-wrap;overflow-wrap:anywhere;max-height:24rem;overflow:auto}
.tool-call{font-size:.85rem;margin:.15rem 0;overflow-wrap:anywhere}
form.composer{display:flex;flex-direction:column;gap:.3rem;margin-top:.75rem}
form.stack{display:flex;flex-direction:column;gap:.25rem}
form.stack h3{font-size:.95rem;margin:.4rem 0 .2rem}
`;
