/*
 * The run page's output: the run replayed from the server's database into a read-only
 * xterm.js view (static/terminal/xterm-view.js, the terminal's own look and defences),
 * and followed live while it is still going.
 *
 * It opens the terminal websocket in watch mode (`?mode=watch`, docs/protocol.md): such a
 * connection takes only `watch` and `ping` frames, so nothing typed here can reach the
 * run. `watch` replays every chunk after `after` in order, then follows; after a dropped
 * connection the page asks again from the last `seq` it showed, so a viewer who joins
 * late or reconnects misses no line and sees none twice. The view has the run's own
 * width, so tables wrap where they wrapped in the terminal that ran it.
 */
(() => {
  "use strict";

  const root = document.getElementById("run-output");
  if (!root) return;
  const statusEl = document.getElementById("run-status");
  const endedEl = document.getElementById("run-ended");
  const config = {
    runId: root.dataset.runId,
    cols: parseInt(root.dataset.cols, 10) || 80,
    wsPath: root.dataset.wsPath || "/ws/terminal/",
    loginUrl: root.dataset.loginUrl || "/accounts/login/",
    wasFinal: root.dataset.final === "true",
  };
  const state = { lastSeq: -1, ended: false, connected: false };
  const RETRY_MS = 1000;
  const dim = (text) => `\x1b[2m${text}\x1b[0m`;
  let lastChar = "\n";

  const { term, fitAddon } = ConsoleXterm.create({ readOnly: true });
  term.open(root);
  term.write("\x1b[?25l"); // no cursor: nothing is typed here

  // The run's width, and as many rows as the panel holds. A run wider than the panel is
  // shown in a smaller font (down to MIN_FONT), so its lines wrap where they wrapped.
  const FONT = term.options.fontSize;
  const MIN_FONT = 9;
  function fitRows() {
    term.options.fontSize = FONT;
    let size = fitAddon.proposeDimensions();
    if (size && size.cols < config.cols) {
      term.options.fontSize = Math.max(MIN_FONT, Math.floor((FONT * size.cols) / config.cols));
      size = fitAddon.proposeDimensions();
    }
    if (size && size.rows > 0) term.resize(config.cols, size.rows);
  }
  fitRows();
  new ResizeObserver(() => requestAnimationFrame(fitRows)).observe(root);

  function print(text) {
    if (!text) return;
    term.write(text.replace(/\r?\n/g, "\r\n"));
    lastChar = text[text.length - 1];
  }

  function freshLine() {
    if (lastChar !== "\n") print("\n");
  }

  function isNew(frame) {
    if (frame.run_id !== config.runId || typeof frame.seq !== "number" || frame.seq <= state.lastSeq) return false;
    state.lastSeq = frame.seq;
    return true;
  }

  function showEnd(frame) {
    state.ended = true;
    freshLine();
    print(dim(`[${frame.status}, exit code ${frame.code}]`) + "\n");
    document.body.dataset.runEnded = "true";
    if (statusEl) {
      statusEl.dataset.status = frame.status;
      statusEl.textContent = frame.status.replace("_", " ");
    }
    // A run that ended while the page was open recorded more than the page shows.
    if (endedEl && !config.wasFinal) endedEl.hidden = false;
  }

  const HANDLERS = {
    hello() {
      state.connected = true;
      send({ type: "watch", run_id: config.runId, after: state.lastSeq });
    },
    output(f) {
      if (isNew(f)) print(f.data);
    },
    // The question the command asked its runner; only the runner's terminal answers it.
    prompt(f) {
      if (!isNew(f)) return;
      freshLine();
      print(`${f.text || ""}` + dim(" [asked in the runner's terminal]") + "\n");
    },
    exit(f) {
      if (f.run_id === config.runId && !state.ended) showEnd(f);
      if (socket) socket.close(1000);
    },
    error(f) {
      freshLine();
      print(`\x1b[31m${f.message || f.code}\x1b[0m\n`);
      state.ended = true; // no such run (any more) for this viewer: nothing to follow
    },
    pong() {},
  };

  let socket = null;

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${config.wsPath}?mode=watch`);
    socket = ws;
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      const handler = frame && HANDLERS[frame.type];
      if (handler) handler(frame);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      state.connected = false;
      if (event.code === 4401) {
        location.assign(`${config.loginUrl}?next=${encodeURIComponent(location.pathname)}`);
        return;
      }
      if (!state.ended) setTimeout(connect, RETRY_MS);
    };
  }

  window.consoleTerminal = { term, state };
  connect();
})();
