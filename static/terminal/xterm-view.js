/*
 * The xterm.js view every page of the console shows output in: the terminal
 * (terminal.js) and the run page's read-only replay (static/audit/run.js). One place for
 * its look (font, theme, scrollback) and for how it treats output, which other people
 * write (S3 keys, tags, names) and so is hostile: the terminal's answers to queries in it
 * never become input, and no link in it opens without asking. The output frames are the
 * same on both pages, so they show the same colours and tables.
 *
 * Load it with the page's CSP nonce (see below), before the page's own script.
 */
(() => {
  "use strict";

  // ---- CSP: xterm.js's own <style> elements carry this page's nonce ---------------------
  // The policy allows no inline style (settings.CONTENT_SECURITY_POLICY), but xterm's DOM
  // renderer writes its theme and cell sizes into <style> elements it creates. Each one
  // created on this page gets the nonce the server put on this script, at creation: a
  // nonce added after insertion is not honoured. Nothing else on the page makes <style>.
  const styleNonce = document.currentScript ? document.currentScript.nonce : "";
  if (styleNonce) {
    const createElement = Document.prototype.createElement;
    Document.prototype.createElement = function (name, options) {
      const element = createElement.call(this, name, options);
      if (String(name).toLowerCase() === "style") element.setAttribute("nonce", styleNonce);
      return element;
    };
  }

  const OPTIONS = {
    fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
    fontSize: 14,
    lineHeight: 1.15, // at 1.0 some monospace fonts lose their underscores to the next row
    scrollback: 10000,
    theme: {
      background: "#0b0f14",
      foreground: "#d8dee9",
      cursor: "#d8dee9",
      selectionBackground: "#3b4b61",
    },
  };

  // ---- terminal replies are never input ---------------------------------------------------
  // Output can ask the terminal questions (device attributes, cursor position, mode and
  // status-string requests, colour queries); xterm answers through onData, the same path
  // as keystrokes, so an answer would be typed into the next command line. Those questions
  // are swallowed here, before xterm answers them, and mouse and focus reporting (which
  // would type a report on every click) cannot be switched on. The server already shows
  // control characters in AWS data as text; this holds if one ever slips through, and the
  // terminal's tokenizer drops any report-shaped sequence whole besides.
  function refuseReplies(parser) {
    const swallow = () => true;
    for (const prefix of ["", ">", "="]) parser.registerCsiHandler({ prefix, final: "c" }, swallow); // DA1-3
    parser.registerCsiHandler({ final: "n" }, swallow); // DSR
    parser.registerCsiHandler({ prefix: "?", final: "n" }, swallow); // DECDSR
    parser.registerCsiHandler({ intermediates: "$", final: "p" }, swallow); // DECRQM
    parser.registerCsiHandler({ prefix: "?", intermediates: "$", final: "p" }, swallow);
    parser.registerCsiHandler({ final: "t" }, swallow); // window reports
    parser.registerCsiHandler({ prefix: ">", final: "q" }, swallow); // XTVERSION
    parser.registerDcsHandler({ intermediates: "$", final: "q" }, swallow); // DECRQSS
    for (const id of [4, 5, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]) parser.registerOscHandler(id, swallow); // colours
    const REPORTING = new Set([9, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1015, 1016]);
    parser.registerCsiHandler({ prefix: "?", final: "h" }, (params) => params.some((p) => REPORTING.has(p)));
  }

  // ---- links open only after the user says so --------------------------------------------
  // Output decides what a link shows and where it goes (an OSC 8 link's text can name one
  // site and point at another), so every link, OSC 8 or a URL in the text, asks first. The
  // question shows the target as the browser will open it (the URL parser's form: a
  // look-alike host in punycode, odd characters escaped), and the text when it differs.
  function openLink(uri, text) {
    let target;
    try {
      target = new URL(uri);
    } catch {
      return;
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") return;
    const shown = (text || "").trim();
    const differs = shown && shown !== uri && shown !== target.href;
    const note = differs ? `\n\nThe text shown for it was: ${shown.slice(0, 200)}` : "";
    if (window.confirm(`Open this link in a new tab?\n\n${target.href}${note}`)) {
      window.open(target.href, "_blank", "noopener,noreferrer");
    }
  }

  // The text of a buffer range (1-based, end inclusive), e.g. an OSC 8 link's visible text.
  function textIn(term, range) {
    const buffer = term.buffer.active;
    const parts = [];
    for (let y = range.start.y; y <= range.end.y; y++) {
      const line = buffer.getLine(y - 1);
      if (!line) continue;
      const from = y === range.start.y ? range.start.x - 1 : 0;
      const to = y === range.end.y ? range.end.x : term.cols;
      parts.push(line.translateToString(true, from, to));
    }
    return parts.join("");
  }

  // A terminal with the console's look and defences. `readOnly`: no input at all (the run
  // page's replay), no cursor.
  function create({ readOnly = false } = {}) {
    let term = null;
    term = new Terminal({
      ...OPTIONS,
      // OSC 8 hyperlinks: ask first, showing the real target (see openLink).
      linkHandler: {
        activate: (event, uri, range) => openLink(uri, textIn(term, range)),
        allowNonHttpProtocols: false,
      },
      cursorBlink: !readOnly,
      disableStdin: readOnly,
      cursorInactiveStyle: readOnly ? "none" : "outline",
    });
    const fitAddon = new FitAddon.FitAddon();
    term.loadAddon(fitAddon);
    term.loadAddon(new WebLinksAddon.WebLinksAddon((event, uri) => openLink(uri, uri)));
    refuseReplies(term.parser);
    return { term, fitAddon };
  }

  window.ConsoleXterm = { create };
})();
