import Foundation
import Typesetting

/// The pages' own stylesheet and script, served from `/assets/` (nothing from a CDN). The
/// script only enhances: everything but drawing a signature works without it.
enum Assets {
    /// Where a signature font is served: `/assets/fonts/<identifier>.<extension of its file>`.
    static func fontPath(_ font: SignatureFont) -> String {
        "/assets/fonts/\(font.rawValue)." + URL(fileURLWithPath: font.file).pathExtension
    }

    /// One `@font-face` per signature font, from our own origin, and a `font-<identifier>` class
    /// that sets it: the adopt page's previews and the review page's mark use the class.
    static let fontFaces = SignatureFont.allCases.map { font in
        "@font-face { font-family: \"\(font.family)\"; src: url(\"\(fontPath(font))\") format(\"opentype\"); font-display: block; }\n"
            + ".font-\(font.rawValue) { font-family: \"\(font.family)\", cursive; }\n"
    }.joined()

    static let css = fontFaces + """
        :root { --ink: #1b1f24; --muted: #4a5260; --accent: #0b57d0; --accent-ink: #ffffff; --danger: #a4161a;
                --line: #c4cad4; --paper: #ffffff; --wash: #f2f4f7; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--wash); }
        .skip { position: absolute; left: -999px; top: 0; background: var(--paper); padding: .5rem 1rem; }
        .skip:focus { left: .5rem; z-index: 10; }
        .bar { background: var(--ink); color: #fff; padding: .5rem 1rem; display: flex; gap: 1rem; flex-wrap: wrap; }
        .bar p { margin: 0; } .org { font-weight: 700; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
        main:focus { outline: none; }
        h1 { font-size: 1.6rem; margin: .5rem 0 1rem; } h2 { font-size: 1.2rem; }
        a { color: var(--accent); } a:focus, button:focus, input:focus, select:focus, textarea:focus, summary:focus, .disclosure:focus, .error:focus {
            outline: 3px solid #1b1f24; outline-offset: 2px; box-shadow: 0 0 0 2px #ffffff; }
        .card { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin: 1rem 0; }
        .facts dt { font-weight: 700; } .facts dd { margin: 0 0 .5rem; }
        .disclosure { max-height: 16rem; overflow: auto; border: 1px solid var(--line); padding: .5rem 1rem; background: var(--wash); }
        label, .label { font-weight: 600; display: inline-block; margin-bottom: .25rem; }
        input, select, textarea { font: inherit; padding: .5rem; border: 1px solid #6b7280; border-radius: 4px; max-width: 100%; }
        input[type=checkbox] { width: 1.25rem; height: 1.25rem; vertical-align: middle; margin-right: .4rem; }
        .check label { display: inline; }
        button, .button { font: inherit; display: inline-block; padding: .55rem 1.1rem; border-radius: 4px; border: 1px solid var(--accent);
            background: var(--paper); color: var(--accent); text-decoration: none; cursor: pointer; min-height: 44px; }
        .primary { background: var(--accent); color: var(--accent-ink); }
        .danger { background: var(--danger); border-color: var(--danger); color: #fff; }
        .actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; }
        .error { border-left: 6px solid var(--danger); background: #fdecea; padding: .5rem 1rem; margin-bottom: 1rem; white-space: pre-line; }
        .error h2 { margin: .25rem 0; font-size: 1.1rem; } .error-text { color: var(--danger); font-weight: 600; }
        .notice { border-left: 6px solid #1e7b34; background: #e6f4ea; padding: .5rem 1rem; }
        .hint { color: var(--muted); } .req { font-weight: 400; color: var(--muted); } .ok { color: #1e7b34; font-weight: 600; }
        .tools { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin-bottom: 1rem; }
        .zoom { display: flex; gap: .5rem; list-style: none; margin: 0; padding: 0; }
        .zoom a[aria-current] { font-weight: 700; }
        .review { display: grid; grid-template-columns: minmax(0, 1fr) 20rem; gap: 1rem; align-items: start; }
        .pages { overflow-x: auto; }
        .page { margin: 0 0 1rem; background: var(--paper); border: 1px solid var(--line); }
        .page svg { display: block; width: 100%; height: auto; }
        .zoom-75 .page { width: 75%; } .zoom-100 .page { width: 100%; } .zoom-150 .page { width: 150%; } .zoom-200 .page { width: 200%; }
        .page figcaption { padding: .25rem .5rem; color: var(--muted); }
        .page details { padding: 0 .5rem .5rem; } .page-text { white-space: pre-wrap; font: inherit; font-size: .9rem; }
        .panel { position: sticky; top: 1rem; background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; }
        .field { margin-bottom: .9rem; } .field.invalid input, .field.invalid select { border: 2px solid var(--danger); }
        .field input:not([type]), .field select { width: 100%; }
        .field.current { outline: 3px solid #1b1f24; outline-offset: 4px; }
        .script { font-size: 2.2rem; line-height: 1.2; margin: .25rem 0; min-height: 2.7rem; overflow-wrap: anywhere; }
        .fonts { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 1rem; padding: .5rem 1rem; }
        .fonts legend { font-weight: 600; padding: 0 .25rem; }
        .font-choice { display: flex; gap: .75rem; align-items: center; padding: .35rem 0; border-bottom: 1px solid var(--wash); }
        .font-choice:last-child { border-bottom: none; }
        .font-choice input[type=radio] { width: 1.25rem; height: 1.25rem; flex: none; margin: 0; }
        .font-choice label { font-weight: 400; margin: 0; flex: 1; min-width: 0; cursor: pointer; }
        .font-choice .script { display: block; min-height: 2.7rem; }
        img.mark { max-width: 100%; height: auto; border-bottom: 1px solid var(--line); }
        #pad { display: block; width: 100%; max-width: 600px; height: auto; aspect-ratio: 3 / 1; border: 2px dashed #6b7280;
               background: var(--paper); touch-action: none; }
        .needs-js { display: none; } .js .needs-js { display: block; }
        .downloads { padding-left: 1.2rem; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        .bar a { color: #ffffff; } .bar form { margin: 0 0 0 auto; } .bar button { min-height: 44px; padding: .2rem .8rem; }
        .page img { display: block; width: 100%; height: auto; }
        table { border-collapse: collapse; width: 100%; background: var(--paper); }
        th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        .filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; }
        .filters p { margin: 0; }
        @media (max-width: 48rem) {
            .review { grid-template-columns: 1fr; }
            .panel { position: static; }
            .zoom-150 .page, .zoom-200 .page { width: 100%; }
            main { padding: .75rem; }
            table, thead, tbody, tr, th, td { display: block; } thead { position: absolute; left: -999px; }
            td { border: none; } tr { border-bottom: 1px solid var(--line); padding: .5rem 0; }
        }
        """

    static let javascript = """
        "use strict";
        document.documentElement.classList.add("js");
        document.addEventListener("DOMContentLoaded", function () {
          // Live preview of the typed signature, in every font on offer.
          var typed = document.getElementById("typed-name"), previews = document.querySelectorAll(".font-preview");
          if (typed && previews.length) {
            typed.addEventListener("input", function () { previews.forEach(function (p) { p.textContent = typed.value; }); });
          }

          // "Next required field": focus the first empty required field (the link works without script too).
          var next = document.getElementById("next-field");
          if (next) {
            next.addEventListener("click", function (event) {
              var fields = document.querySelectorAll("[data-required='true']");
              for (var i = 0; i < fields.length; i++) {
                if (fields[i].type === "checkbox" ? !fields[i].checked : !fields[i].value) {
                  event.preventDefault();
                  document.querySelectorAll(".field.current").forEach(function (f) { f.classList.remove("current"); });
                  fields[i].closest(".field").classList.add("current");
                  fields[i].focus();
                  fields[i].scrollIntoView({ block: "center" });
                  return;
                }
              }
            });
          }

          // The signature pad: pointer events (mouse, pen, touch), undo by stroke, clear.
          var pad = document.getElementById("pad");
          if (!pad) { return; }
          var context = pad.getContext("2d"), strokes = [], current = null;
          context.lineWidth = 3; context.lineCap = "round"; context.lineJoin = "round"; context.strokeStyle = "#0b2a6f";
          function point(event) {
            var rect = pad.getBoundingClientRect();
            return [(event.clientX - rect.left) * pad.width / rect.width, (event.clientY - rect.top) * pad.height / rect.height];
          }
          function redraw() {
            context.clearRect(0, 0, pad.width, pad.height);
            strokes.forEach(function (stroke) {
              context.beginPath();
              context.moveTo(stroke[0][0], stroke[0][1]);
              stroke.forEach(function (p) { context.lineTo(p[0], p[1]); });
              if (stroke.length === 1) { context.lineTo(stroke[0][0] + 0.1, stroke[0][1]); }
              context.stroke();
            });
          }
          pad.addEventListener("pointerdown", function (event) {
            event.preventDefault(); pad.setPointerCapture(event.pointerId);
            current = [point(event)]; strokes.push(current); redraw();
          });
          pad.addEventListener("pointermove", function (event) { if (current) { current.push(point(event)); redraw(); } });
          function end() { current = null; }
          pad.addEventListener("pointerup", end); pad.addEventListener("pointercancel", end);
          document.getElementById("pad-undo").addEventListener("click", function () { strokes.pop(); redraw(); });
          document.getElementById("pad-clear").addEventListener("click", function () { strokes = []; redraw(); });
          document.getElementById("draw-form").addEventListener("submit", function (event) {
            if (strokes.length === 0) {
              event.preventDefault();
              var help = document.getElementById("draw-help");
              help.setAttribute("role", "alert"); help.classList.add("error-text");
              help.textContent = help.getAttribute("data-empty") || help.textContent;
              pad.focus(); return;
            }
            document.getElementById("drawn-png").value = pad.toDataURL("image/png");
          });
        });
        """
}
