/**
 * The app's one stylesheet, served from our own origin (the CSP allows no inline style). Kept in a TypeScript
 * module so the build puts it in dist/ with everything else (the runtime image copies dist/ only).
 * Colours meet WCAG 2.1 AA contrast (4.5:1 for text); state is never shown by colour alone.
 */
export const APP_CSS = `
:root{--ink:#1a1a1a;--muted:#4a4a4a;--line:#c4c4c4;--bg:#ffffff;--band:#f3f4f6;--link:#0b4fb3;--focus:#b45309;
--ok-bg:#e6f4ea;--ok-ink:#0f5132;--err-bg:#fde8e8;--err-ink:#8a1111;--warn-bg:#b00020;--warn-ink:#ffffff}
*{box-sizing:border-box}
[hidden]{display:none !important}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0}
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem 1rem;z-index:10}
header.top{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between;padding:.75rem 1.25rem;border-bottom:1px solid var(--line);background:var(--band)}
header.top .brand{font-weight:700;font-size:1.1rem;margin:0}
header.top nav ul{list-style:none;margin:0;padding:0;display:flex;gap:1rem}
header.top .who{color:var(--muted);font-size:.9rem;margin:0}
header.top form{display:inline-flex;gap:.4rem;align-items:center;margin:0}
main{padding:1rem 1.25rem 3rem;max-width:72rem}
footer{padding:1rem 1.25rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line)}
h1{font-size:1.6rem;margin:.5rem 0 1rem}
h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:1rem 0 .25rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
caption{text-align:left;color:var(--muted);padding:.25rem 0}
th,td{border-bottom:1px solid var(--line);padding:.45rem .5rem;text-align:left;vertical-align:top}
th{background:var(--band)}
button,.button{font:inherit;padding:.35rem .9rem;border:1px solid #1f2937;border-radius:4px;background:#fff;color:var(--ink);cursor:pointer;text-decoration:none;display:inline-block}
button.primary{background:#0b4fb3;border-color:#0b4fb3;color:#fff}
button.danger{background:#8a1111;border-color:#8a1111;color:#fff}
button[disabled]{background:#e5e7eb;color:#4a4a4a;border-color:#9ca3af;cursor:not-allowed}
fieldset{border:1px solid var(--line);border-radius:4px;margin:0 0 1rem;padding:.75rem 1rem}
legend{font-weight:600;padding:0 .25rem}
label{cursor:pointer}
input[type=text],input[type=number],select{font:inherit;padding:.3rem .4rem;border:1px solid #6b7280;border-radius:3px}
.row{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end}
.field{margin:0 0 .75rem}
.hint{color:var(--muted);font-size:.9rem;margin:.15rem 0}
.field-error{color:var(--err-ink);font-weight:600;margin:.15rem 0}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:flex-end}
.filters .check{display:flex;gap:.35rem;align-items:center}
.notice{padding:.6rem .9rem;border-radius:4px;margin:0 0 1rem;border:1px solid}
.notice.ok{background:var(--ok-bg);color:var(--ok-ink);border-color:var(--ok-ink)}
.notice.err{background:var(--err-bg);color:var(--err-ink);border-color:var(--err-ink)}
.notice h2{font-size:1.05rem;margin:0 0 .25rem}
.badge{display:inline-block;padding:0 .4rem;border-radius:3px;font-size:.85rem;border:1px solid var(--line);white-space:nowrap}
.countdown{white-space:nowrap}
.countdown.warn,.countdown.over{background:var(--warn-bg);color:var(--warn-ink);padding:0 .35rem;border-radius:3px;font-weight:700}
.lapsed{background:var(--warn-bg);color:var(--warn-ink);padding:.1rem .4rem;border-radius:3px;font-weight:700}
.muted{color:var(--muted)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
.live-status{color:var(--muted);font-size:.9rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
ul.plain{padding-left:1.25rem;margin:.25rem 0}
`;
