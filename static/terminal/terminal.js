/*
 * The browser side of the terminal (protocol: docs/protocol.md).
 *
 * The server runs every command; this page edits a line, sends it and shows what comes
 * back. The server's database is the truth for output, so the page only remembers the
 * active run's id and the last `seq` it showed (sessionStorage): after a dropped
 * connection it attaches from that `seq`, after a reload from -1 onto a blank screen, and
 * it drops any chunk it has already shown, so output never has gaps or duplicates.
 *
 * The line editor redraws the whole input from the start of the prompt, with cursor
 * movements computed from the prompt width and the terminal's columns. That keeps lines
 * that wrap past the terminal width correct without asking the terminal where its cursor
 * is. Characters are counted as one column each (AWS CLI command lines are ASCII).
 *
 * Output is written by other people (S3 keys, tags, names), so the page treats it as
 * hostile: the terminal's answers to queries in it never become input, and no link in it
 * opens without asking (static/terminal/xterm-view.js, shared with the run page).
 *
 * Opened from a run page's "Edit and re-run" (`/?prefill=<run id>`), the first prompt
 * holds that run's line as the server stored it (redacted), and the run frame of the line
 * submitted from it names the run it re-runs (`rerun_of`).
 */
(() => {
  "use strict";

  const KEYS = {
    historyPrefix: "consoleTerminal.history.", // + the user's id
    legacyHistory: "consoleTerminal.history", // raw lines of every user, before issue 13
    terminalId: "consoleTerminal.id",
    activeRun: "consoleTerminal.activeRun",
  };
  const HISTORY_MAX = 500;
  // The prompt names the profile the terminal's commands use when they name none, once the
  // terminal chose one, and tags a production profile (the server's `context` frame).
  const prompt = { text: "\x1b[1;32maws-console\x1b[0m $ ", width: "aws-console $ ".length };
  const RETRY_MIN_MS = 500;
  const RETRY_MAX_MS = 5000;
  const PING_MS = 25000;
  const STATUS_LABELS = {
    connecting: "connecting…",
    connected: "connected",
    reconnecting: "reconnecting…",
    "signed-out": "signed out",
  };
  // Statuses whose end the server may not explain in the output itself.
  const EXIT_NOTES = { lost: "the run was lost (its worker stopped)", timed_out: "the run timed out" };

  const red = (text) => `\x1b[31m${text}\x1b[0m`;
  const dim = (text) => `\x1b[2m${text}\x1b[0m`;
  const bold = (text) => `\x1b[1m${text}\x1b[0m`;

  // ---- storage (may be disabled or full: the terminal still works, it only forgets) ----
  function load(area, key, fallback) {
    try {
      const raw = window[area].getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch {
      return fallback;
    }
  }

  function save(area, key, value) {
    try {
      if (value === null) window[area].removeItem(key);
      else window[area].setItem(key, JSON.stringify(value));
    } catch {
      /* see load() */
    }
  }

  // Kept as a plain string (not JSON) so it reads the same as the server's `terminal`.
  function terminalId() {
    let id = null;
    try {
      id = window.sessionStorage.getItem(KEYS.terminalId);
    } catch {
      /* see load() */
    }
    if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      // getRandomValues, unlike randomUUID, also exists on plain-http hosts.
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      try {
        window.sessionStorage.setItem(KEYS.terminalId, id);
      } catch {
        /* see load() */
      }
    }
    return id;
  }

  // ---- page, terminal and exposed state ------------------------------------------------
  const root = document.getElementById("terminal");
  const statusEl = document.getElementById("connection-status");
  const config = {
    userId: root.dataset.userId || "",
    wsPath: root.dataset.wsPath || "/ws/terminal/",
    loginUrl: root.dataset.loginUrl || "/accounts/login/",
    maxCommandLength: parseInt(root.dataset.maxCommandLength, 10) || 0,
    maxFrameBytes: 0, // from `hello`: what one answer frame, stdin included, may carry
  };
  const state = { connected: false, running: false, terminalId: terminalId(), run: null, rerunOf: null };
  // "Edit and re-run": shown once, at the first prompt; a reload does not bring it back.
  let prefill = root.dataset.rerunOf ? { line: root.dataset.prefill || "", rerunOf: root.dataset.rerunOf } : null;
  if (prefill) window.history.replaceState(null, "", location.pathname);

  // The view, its look and its defences against hostile output: xterm-view.js.
  const { term, fitAddon } = ConsoleXterm.create();

  function setConnected(value) {
    state.connected = value;
    document.body.dataset.connected = String(value);
  }

  function setRunning(value) {
    state.running = value;
    document.body.dataset.running = String(value);
  }

  function setStatus(kind) {
    if (!statusEl) return;
    statusEl.dataset.state = kind;
    statusEl.textContent = STATUS_LABELS[kind];
  }

  // ---- writing outside the line editor ---------------------------------------------------
  let lastChar = "\n"; // the last character written, to end output on a fresh line

  function print(text) {
    if (!text) return;
    term.write(text.replace(/\r?\n/g, "\r\n"));
    lastChar = text[text.length - 1];
  }

  function freshLine() {
    if (lastChar !== "\n") print("\n");
  }

  // Prints whole lines; a line being edited is redrawn below them.
  function printLines(text) {
    const editing = editor.active;
    if (editing) editor.erase();
    freshLine();
    print(text + "\n");
    if (editing) editor.render();
  }

  // ---- the line editor -----------------------------------------------------------------
  const editor = {
    active: false,
    kind: "command", // "command" (history, typeahead), "answer" (a prompt frame's question) or "stdin" (lines until Ctrl-D)
    prompt: "",
    width: 0, // visible width of the prompt
    secret: false,
    chars: [],
    cursor: 0,
    drawn: 0, // offset from the prompt's start where the terminal cursor now is
    onSubmit: null,

    start({ prompt, width, kind, secret = false, initial = "", onSubmit }) {
      freshLine();
      Object.assign(this, { active: true, prompt, width, kind, secret, onSubmit });
      this.chars = Array.from(initial);
      this.cursor = this.chars.length;
      this.drawn = 0;
      this.render();
    },

    shown() {
      return this.secret ? 0 : this.chars.length;
    },

    // Where offset `to` is, as cursor movements from offset `from` (both from the prompt's
    // start, which is at column 0).
    moves(from, to) {
      const cols = term.cols;
      const rows = Math.floor(to / cols) - Math.floor(from / cols);
      const col = to % cols;
      let seq = rows > 0 ? `\x1b[${rows}B` : rows < 0 ? `\x1b[${-rows}A` : "";
      seq += "\r" + (col ? `\x1b[${col}C` : "");
      return seq;
    },

    // After writing up to offset `end` the cursor waits at the right margin when `end`
    // fills a row exactly; a newline puts it where moves() expects it.
    wrapFix(end) {
      return end > 0 && end % term.cols === 0 ? "\r\n" : "";
    },

    // Back to the prompt's start, erasing everything below it.
    toStart() {
      const up = Math.floor(this.drawn / term.cols);
      return (up ? `\x1b[${up}A` : "") + "\r\x1b[J";
    },

    render() {
      const end = this.width + this.shown();
      const target = this.width + (this.secret ? 0 : this.cursor);
      const text = this.secret ? "" : this.chars.join("");
      term.write(this.toStart() + this.prompt + text + this.wrapFix(end) + this.moves(end, target));
      this.drawn = target;
    },

    moveTo(cursor) {
      this.cursor = Math.max(0, Math.min(cursor, this.chars.length));
      if (this.secret) return;
      const target = this.width + this.cursor;
      term.write(this.moves(this.drawn, target));
      this.drawn = target;
    },

    insert(text) {
      const add = Array.from(text);
      const limit = config.maxCommandLength;
      if (this.kind === "command" && limit && this.chars.length + add.length > limit) {
        // Refused whole, never truncated: a cut-off command could mean something else.
        printLines(red(`Input ignored: the line would be longer than ${limit} characters.`));
        return;
      }
      const atEnd = this.cursor === this.chars.length;
      this.chars.splice(this.cursor, 0, ...add);
      this.cursor += add.length;
      if (this.secret) return;
      if (!atEnd) return this.render();
      // Typing (and pasting) at the end just writes, so long pastes stay cheap.
      const end = this.width + this.chars.length;
      term.write(text + this.wrapFix(end));
      this.drawn = end;
    },

    remove(from, to) {
      from = Math.max(0, from);
      to = Math.min(to, this.chars.length);
      if (from >= to) return "";
      const removed = this.chars.splice(from, to - from).join("");
      if (!this.chars.length) state.rerunOf = null; // a cleared line is a new one, no re-run
      this.cursor = from;
      this.render();
      return removed;
    },

    wordStart() {
      let i = this.cursor;
      while (i > 0 && this.chars[i - 1] === " ") i--;
      while (i > 0 && this.chars[i - 1] !== " ") i--;
      return i;
    },

    wordEnd() {
      let i = this.cursor;
      while (i < this.chars.length && this.chars[i] === " ") i++;
      while (i < this.chars.length && this.chars[i] !== " ") i++;
      return i;
    },

    replace(text) {
      state.rerunOf = null; // another line from history: no longer the edited re-run
      this.chars = Array.from(text);
      this.cursor = this.chars.length;
      this.render();
    },

    // Takes the prompt and line off the screen, leaving the cursor where the prompt began.
    erase() {
      term.write(this.toStart());
      this.drawn = 0;
      lastChar = "\n";
    },

    // Puts the terminal cursor on a fresh row below the line.
    leaveLine() {
      const end = this.width + this.shown();
      term.write(this.moves(this.drawn, end) + (end > 0 && end % term.cols === 0 ? "" : "\r\n"));
      this.drawn = 0;
      lastChar = "\n";
    },

    submit() {
      const line = this.chars.join("");
      this.leaveLine();
      this.active = false;
      this.onSubmit(line);
    },

    abandon() {
      if (!this.active) return;
      this.leaveLine();
      this.active = false;
    },

    clearScreen() {
      term.write("\x1b[H\x1b[2J");
      this.drawn = 0;
      this.render();
    },
  };

  // ---- history (localStorage: per user, redacted, gone at sign-out) ----------------------
  // Browser storage is shared by everyone who uses the browser and outlives the session,
  // and a typed line can hold a secret (`aws configure set aws_secret_access_key …`,
  // `export AWS_SESSION_TOKEN=…`). So history keeps only the line as the server redacted
  // it for the audit (the `started` frame's `command`), never what was typed; under a key
  // per user id; and it is removed at sign-out, when the server closes the terminal as
  // signed out, and (another user's, left behind) when this page loads. It stays in the
  // browser rather than on the server: the redacted line already comes back with every
  // run, Up-arrow needs no round trip, and the server keeps no second copy of each line.
  const history = {
    list: [],
    index: 0,
    draft: "",

    key() {
      return KEYS.historyPrefix + config.userId;
    },

    entries() {
      const stored = config.userId ? load("localStorage", this.key(), []) : [];
      return Array.isArray(stored) ? stored.filter((e) => typeof e === "string") : [];
    },

    // Every history key but `keep` (null: all of them), the pre-redaction one included.
    forget(keep = null) {
      try {
        const keys = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i));
        for (const key of keys) {
          const isHistory = key === KEYS.legacyHistory || key.startsWith(KEYS.historyPrefix);
          if (isHistory && key !== keep) localStorage.removeItem(key);
        }
      } catch {
        /* see load() */
      }
    },

    reset() {
      this.list = this.entries();
      this.index = this.list.length;
      this.draft = "";
    },

    // `line` is what the server returned for the run (redacted), or a line never sent.
    add(line) {
      if (!config.userId || typeof line !== "string" || !line.trim()) return;
      const list = this.entries();
      if (list[list.length - 1] !== line) list.push(line);
      save("localStorage", this.key(), list.slice(-HISTORY_MAX));
    },

    // A leading space keeps a line out of history, as with bash's HISTCONTROL=ignorespace.
    keeps(line) {
      return Boolean(line.trim()) && !line.startsWith(" ");
    },

    walk(step) {
      const next = this.index + step;
      if (next < 0 || next > this.list.length) return;
      if (this.index === this.list.length) this.draft = editor.chars.join("");
      this.index = next;
      editor.replace(next === this.list.length ? this.draft : this.list[next]);
    },
  };

  // ---- keys ----------------------------------------------------------------------------
  let killed = ""; // the last text cut with Ctrl-U/K/W, for Ctrl-Y
  let typeahead = ""; // pasted lines after the one that started a run

  const KEY_ACTIONS = {
    "\x7f": () => editor.remove(editor.cursor - 1, editor.cursor),
    "\b": () => editor.remove(editor.cursor - 1, editor.cursor),
    "\x1b[3~": () => editor.remove(editor.cursor, editor.cursor + 1),
    "\x04": () => (editor.kind === "stdin" ? editor.onEnd() : editor.remove(editor.cursor, editor.cursor + 1)),
    "\x1b[D": () => editor.moveTo(editor.cursor - 1),
    "\x1bOD": () => editor.moveTo(editor.cursor - 1),
    "\x02": () => editor.moveTo(editor.cursor - 1),
    "\x1b[C": () => editor.moveTo(editor.cursor + 1),
    "\x1bOC": () => editor.moveTo(editor.cursor + 1),
    "\x06": () => editor.moveTo(editor.cursor + 1),
    "\x1b[1;5D": () => editor.moveTo(editor.wordStart()),
    "\x1bb": () => editor.moveTo(editor.wordStart()),
    "\x1b[1;5C": () => editor.moveTo(editor.wordEnd()),
    "\x1bf": () => editor.moveTo(editor.wordEnd()),
    "\x1b[H": () => editor.moveTo(0),
    "\x1bOH": () => editor.moveTo(0),
    "\x1b[1~": () => editor.moveTo(0),
    "\x1b[7~": () => editor.moveTo(0),
    "\x01": () => editor.moveTo(0),
    "\x1b[F": () => editor.moveTo(editor.chars.length),
    "\x1bOF": () => editor.moveTo(editor.chars.length),
    "\x1b[4~": () => editor.moveTo(editor.chars.length),
    "\x1b[8~": () => editor.moveTo(editor.chars.length),
    "\x05": () => editor.moveTo(editor.chars.length),
    "\x15": () => (killed = editor.remove(0, editor.cursor) || killed),
    "\x0b": () => (killed = editor.remove(editor.cursor, editor.chars.length) || killed),
    "\x17": () => (killed = editor.remove(editor.wordStart(), editor.cursor) || killed),
    "\x1b\x7f": () => (killed = editor.remove(editor.wordStart(), editor.cursor) || killed),
    "\x19": () => killed && editor.insert(killed),
    "\x0c": () => editor.clearScreen(),
    "\x03": () => interruptLine(),
    "\x1b[A": () => editor.kind === "command" && history.walk(-1),
    "\x1bOA": () => editor.kind === "command" && history.walk(-1),
    "\x10": () => editor.kind === "command" && history.walk(-1),
    "\x1b[B": () => editor.kind === "command" && history.walk(1),
    "\x1bOB": () => editor.kind === "command" && history.walk(1),
    "\x0e": () => editor.kind === "command" && history.walk(1),
    "\t": () => editor.kind === "command" && completion.request(),
  };

  // ---- tab completion (services, operations, parameters, enum values; the server knows
  // the models) --------------------------------------------------------------------------
  const completion = {
    pending: null, // {line, cursor} of the request in flight
    lastShown: "", // the line whose candidates were last listed, so a second Tab lists them

    request() {
      const line = editor.chars.join("");
      this.pending = { line, cursor: editor.cursor };
      if (!send({ type: "complete", line, cursor: editor.cursor })) this.pending = null;
    },

    // Candidates replace the word under the cursor: one is taken whole, several extend it
    // to their common prefix, and a Tab that cannot extend lists them, as a shell does.
    receive(f) {
      const asked = this.pending;
      this.pending = null;
      const line = editor.chars.join("");
      if (!editor.active || !asked || asked.line !== line || asked.cursor !== editor.cursor) return;
      const candidates = Array.isArray(f.candidates) ? f.candidates.filter((c) => typeof c === "string") : [];
      if (!candidates.length) return;
      const start = editor.wordStart();
      const word = line.slice(start, editor.cursor);
      if (candidates.length === 1) return this.put(start, candidates[0] + " ");
      const common = commonPrefix(candidates);
      if (common.length > word.length) return this.put(start, common);
      if (this.lastShown === line) return;
      this.lastShown = line;
      printLines(columns(candidates));
    },

    put(start, text) {
      editor.remove(start, editor.cursor);
      editor.insert(text);
    },
  };

  function commonPrefix(words) {
    let prefix = words[0];
    for (const word of words) while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1);
    return prefix;
  }

  function columns(words) {
    const width = Math.max(...words.map((w) => w.length)) + 2;
    const perRow = Math.max(1, Math.floor(term.cols / width));
    const rows = [];
    for (let i = 0; i < words.length; i += perRow) {
      rows.push(words.slice(i, i + perRow).map((w) => w.padEnd(width)).join("").trimEnd());
    }
    return rows.join("\n");
  }

  // One token per key: an escape sequence, a control character or a run of printable text.
  // Whole sequences, so no part of a report (a mouse report, an OSC or DCS string) is ever
  // taken for typed text: the escape tokens that are not keys are dropped.
  const TOKEN =
    /\x1b\[M[^]{0,3}|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]P^_X][^]*?(?:\x07|\x1b\\|$)|\x1bO.|\x1b[^]?|[\x00-\x1f\x7f]|[^\x00-\x1f\x7f\x1b]+/g;

  function onData(data) {
    // Pasted text: tabs would break the column arithmetic and mean nothing to the server.
    const text = data.length > 1 ? data.replace(/\r\n/g, "\r").replace(/\t/g, " ") : data;
    const tokens = text.match(TOKEN) || [];
    for (let i = 0; i < tokens.length; i++) {
      if (editor.active && (tokens[i] === "\r" || tokens[i] === "\n")) {
        // A pasted newline submits; the rest waits for the next prompt, as in a shell.
        typeahead = tokens.slice(i + 1).join("") + typeahead;
        editor.submit();
        return;
      }
      handleToken(tokens[i]);
    }
  }

  function handleToken(token) {
    if (!editor.active) {
      if (token === "\x03" && state.running) interruptRun();
      return; // running: keystrokes are not echoed
    }
    const action = KEY_ACTIONS[token];
    if (action) action();
    else if (token >= " " && token[0] !== "\x1b" && token !== "\x7f") editor.insert(token);
  }

  function interruptLine() {
    if (editor.kind === "answer" || editor.kind === "stdin") {
      editor.abandon();
      interruptRun();
      return;
    }
    editor.moveTo(editor.chars.length);
    term.write("^C\r\n");
    editor.active = false;
    lastChar = "\n";
    typeahead = "";
    state.rerunOf = null;
    showPrompt();
  }

  // ---- commands and runs ---------------------------------------------------------------
  function showPrompt(initial = "") {
    if (!initial && prefill) {
      initial = prefill.line;
      state.rerunOf = prefill.rerunOf;
      prefill = null;
    }
    history.reset();
    editor.start({ prompt: prompt.text, width: prompt.width, kind: "command", initial, onSubmit: submitCommand });
    if (typeahead) queueMicrotask(drainTypeahead); // a microtask, so long pastes don't recurse
  }

  function drainTypeahead() {
    if (!typeahead || !editor.active || editor.kind === "answer") return;
    const pending = typeahead;
    typeahead = "";
    onData(pending);
  }

  function submitCommand(line) {
    const rerunOf = state.rerunOf; // only the line submitted from a prefilled prompt re-runs
    state.rerunOf = null;
    const command = line.trim();
    if (!command) return showPrompt();
    if (command === "clear") {
      if (history.keeps(line)) history.add(line); // local only, never sent: nothing to redact
      term.write("\x1b[H\x1b[2J\x1b[3J");
      return showPrompt();
    }
    if (!state.connected) {
      typeahead = "";
      print(red("Not connected to the server, so the command was not sent. Reconnecting…") + "\n");
      state.rerunOf = rerunOf;
      return showPrompt(line);
    }
    startRun(line, rerunOf);
  }

  function startRun(line, rerunOf = null) {
    // `id` stays null until the server's `started` frame names the run.
    state.run = { id: null, lastSeq: -1, command: line, answeredSeq: -1, remember: history.keeps(line) };
    setRunning(true);
    send(rerunOf ? { type: "run", command: line, cols: term.cols, rerun_of: rerunOf } : { type: "run", command: line, cols: term.cols });
  }

  function persistRun() {
    const run = state.run;
    save(
      "sessionStorage",
      KEYS.activeRun,
      run && run.id
        ? { run_id: run.id, lastSeq: run.lastSeq, command: run.command, answeredSeq: run.answeredSeq }
        : null,
    );
  }

  function endRun() {
    if (editor.active) editor.abandon();
    state.run = null;
    persistRun();
    setRunning(false);
  }

  let lastCancelAt = 0;

  function interruptRun() {
    const run = state.run;
    term.write("^C");
    lastChar = "C";
    typeahead = "";
    lastCancelAt = Date.now();
    // Sent again after a reconnect if the connection is down now.
    run.cancelPending = !send(run.id ? { type: "cancel", run_id: run.id } : { type: "cancel" });
  }

  function attach(after) {
    const run = state.run;
    send({ type: "attach", run_id: run.id, after });
    if (run.cancelPending) run.cancelPending = !send({ type: "cancel", run_id: run.id });
    if (run.pendingAnswer) sendAnswer(run.pendingAnswer);
  }

  // After a reload: show the command again, then replay all of its output.
  function resumeRun(saved) {
    print(prompt.text + saved.command + "\n");
    state.run = {
      id: saved.run_id,
      lastSeq: -1,
      command: saved.command,
      answeredSeq: Number.isInteger(saved.answeredSeq) ? saved.answeredSeq : -1,
      resumed: true,
    };
    setRunning(true);
    attach(-1);
  }

  // Whether frame `f` belongs to the run this terminal follows, and is new.
  function isCurrent(f) {
    const run = state.run;
    if (!run || f.run_id !== run.id) return false;
    if (typeof f.seq !== "number") return true;
    if (f.seq <= run.lastSeq) return false;
    run.lastSeq = f.seq;
    persistRun();
    return true;
  }

  function sendAnswer(answer) {
    const run = state.run;
    run.pendingAnswer = send({ type: "answer", run_id: run.id, text: answer.text }) ? null : answer;
    run.answeredSeq = Math.max(run.answeredSeq, answer.seq);
    persistRun();
  }

  function ask(f) {
    const lines = String(f.text || "").replace(/\r/g, "").split("\n");
    const last = lines.pop();
    if (lines.length) print(lines.join("\n") + "\n");
    editor.start({
      prompt: last,
      width: Array.from(last.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "")).length,
      kind: "answer",
      secret: Boolean(f.secret),
      onSubmit: (text) => sendAnswer({ seq: f.seq, text }),
    });
  }

  // A command reading stdin (`aws s3 cp - s3://b/k`): lines typed or pasted are kept here,
  // echoed as typed, until Ctrl-D on an empty line (or Ctrl-D after a partial one, which
  // ends the text without a newline, as `cat` does); then they go as one answer.
  function readStdin(f) {
    print(dim(String(f.text || "")) + "\n");
    const taken = { seq: f.seq, parts: [], bytes: 0 };
    // The answer frame's JSON must fit the server's frame limit (escapes can double bytes).
    const limit = config.maxFrameBytes ? Math.floor(config.maxFrameBytes / 2) - 1024 : Infinity;
    const finish = () => {
      editor.active = false;
      sendAnswer({ seq: taken.seq, text: taken.parts.join("") });
    };
    const take = (text) => {
      taken.bytes += new TextEncoder().encode(text).length;
      if (taken.bytes > limit) {
        printLines(red(`stdin from the terminal holds at most ${limit} bytes: upload the file and cp it from the workspace. Nothing was sent.`));
        editor.active = false;
        interruptRun();
        return false;
      }
      taken.parts.push(text);
      return true;
    };
    const next = () => {
      editor.start({
        prompt: "",
        width: 0,
        kind: "stdin",
        onSubmit: (line) => {
          if (take(line + "\n")) {
            next();
            queueMicrotask(drainTypeahead);
          }
        },
      });
      editor.onEnd = () => {
        const partial = editor.chars.join("");
        if (!partial) return finish(); // the cursor is already at the start of an empty line
        editor.leaveLine();
        if (take(partial)) finish();
      };
    };
    next();
  }

  // ---- frames from the server ----------------------------------------------------------
  const FRAME_HANDLERS = {
    hello: onHello,
    started(f) {
      const run = state.run;
      if (!run || run.id !== null) return;
      run.id = f.run_id;
      const typed = run.command;
      // Redacted by the server; the typed line is kept nowhere but in this tab's memory.
      run.command = typeof f.command === "string" ? f.command : "";
      // `rerun <id>` runs the line it names: shown, as a shell shows what `!n` expanded to.
      if (/^\s*rerun\s/.test(typed) && run.command !== typed.trim()) print(dim(run.command) + "\n");
      if (run.remember) history.add(run.command);
      persistRun();
    },
    output(f) {
      if (!isCurrent(f)) return;
      editor.abandon(); // later output means a replayed question was already answered
      print(f.data);
    },
    prompt(f) {
      if (!isCurrent(f)) return;
      editor.abandon();
      freshLine();
      if (f.seq <= state.run.answeredSeq) print(`${f.text}\n`); // answered before a reload
      else if (f.stdin) readStdin(f);
      else ask(f);
    },
    exit(f) {
      if (!isCurrent(f)) return;
      onContext(f.context);
      editor.abandon();
      freshLine();
      if (EXIT_NOTES[f.status]) print(dim(`[${EXIT_NOTES[f.status]}]`) + "\n");
      endRun();
      showPrompt();
      if (window.consoleFiles) window.consoleFiles.changed(); // `cp`, `rm`, an outfile…
    },
    // `upload` / `download` asking this page to act (files-panel.js); never for a run
    // replayed after a reload, which would open the picker or download again.
    files(f) {
      if (!isCurrent(f) || state.run.resumed || !window.consoleFiles) return;
      window.consoleFiles.frame(f, (text, failed) => printLines(failed ? red(text) : text));
    },
    // A one-line notice for this person (a request waiting for their approval): printed
    // above the line being edited; control characters are dropped, it is only text.
    notice(f) {
      if (typeof f.message === "string") printLines(bold(f.message.replace(/[\x00-\x1f\x7f]/g, "")));
    },
    error: onError,
    completions: (f) => completion.receive(f),
    pong() {},
  };

  function onHello(f) {
    retries = 0;
    setConnected(true);
    setStatus("connected");
    startPing();
    onContext(f.context);
    if (f.limits && Number.isInteger(f.limits.max_command_length)) {
      config.maxCommandLength = f.limits.max_command_length;
    }
    if (f.limits && Number.isInteger(f.limits.max_frame_bytes)) config.maxFrameBytes = f.limits.max_frame_bytes;
    send({ type: "resize", cols: term.cols, rows: term.rows });
    if (!welcomed) {
      welcomed = true;
      print(
        `Welcome, ${f.user}. Type AWS CLI commands, e.g. ${bold("aws sts get-caller-identity")}` +
          ` — ${bold("help")} lists what this terminal does.\n`,
      );
      if (requestedProfile) typeahead = `export AWS_PROFILE=${requestedProfile}\r` + typeahead;
      else if (requestedProfile === "") print(red("The profile in the page's address is not a profile name; nothing was exported.") + "\n");
      const saved = load("sessionStorage", KEYS.activeRun, null);
      if (saved && typeof saved.run_id === "string" && typeof saved.command === "string") resumeRun(saved);
      else showPrompt();
    } else if (state.run && state.run.id) {
      attach(state.run.lastSeq);
    }
  }

  // The `context` of `hello`, and of the `exit` of `export`/`unset` (docs/protocol.md).
  function onContext(f) {
    if (!f || typeof f !== "object") return;
    const name = typeof f.profile === "string" ? f.profile.replace(/[\x00-\x1f\x7f-\x9f]/g, "") : "";
    const shown = name && (f.chosen || f.production);
    const tag = f.production ? " [production]" : "";
    const label = shown ? ` (${name})` : "";
    prompt.text =
      "\x1b[1;32maws-console\x1b[0m" +
      (label ? `\x1b[36m${label}\x1b[0m` : "") +
      (tag ? `\x1b[1;41;97m${tag}\x1b[0m` : "") +
      " $ ";
    prompt.width = Array.from(`aws-console${label}${tag} $ `).length;
    // The first prompt is drawn at `hello`, before this frame: draw it again with the tag.
    if (editor.active && editor.kind === "command") {
      Object.assign(editor, { prompt: prompt.text, width: prompt.width });
      editor.render();
    }
    const badge = document.getElementById("production-badge");
    if (badge) {
      badge.textContent = f.production ? `production: ${name}` : "";
      badge.hidden = !f.production;
    }
  }

  function onError(f) {
    const run = state.run;
    const message = red(f.message || f.code || "error");
    // A cancel that crossed the run's end on the wire: nothing left to report.
    const staleCancel = f.code === "not_found" || f.code === "not_running";
    if (!run && staleCancel && Date.now() - lastCancelAt < 5000) return;
    if (run && (run.id === null || f.code === "not_found")) {
      // No run was started, or the one followed is gone: back to the prompt.
      editor.abandon();
      freshLine();
      print(message + "\n");
      endRun();
      showPrompt();
      return;
    }
    printLines(message);
  }

  // ---- a profile named in the page's address ---------------------------------------------
  // `/?profile=<name>` (the portal's "open a terminal with this profile") becomes this
  // terminal's `export AWS_PROFILE=<name>`, typed at the first prompt as if by hand: it is
  // seen, recorded and undone (`unset AWS_PROFILE`) like any export, and the server checks
  // the name at the next command as it checks every one. The parameter leaves the address
  // at once, so a reload or a bookmark does not export it again. null: none was given;
  // "": one was, but it is not a name the console can store.
  const PROFILE_NAME = /^[A-Za-z0-9_.@+=,:/-]{1,200}$/;

  function profileFromAddress() {
    const params = new URLSearchParams(location.search);
    const name = params.get("profile");
    if (name === null) return null;
    params.delete("profile");
    const rest = params.toString();
    window.history.replaceState(window.history.state, "", location.pathname + (rest ? `?${rest}` : "") + location.hash);
    return PROFILE_NAME.test(name) ? name : "";
  }

  const requestedProfile = profileFromAddress();

  // ---- the connection ------------------------------------------------------------------
  let socket = null;
  let retries = 0;
  let retryTimer = null;
  let pingTimer = null;
  let awaitingPong = false;
  let welcomed = false;
  let leaving = false;

  function send(frame) {
    if (!socket || !state.connected || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  function connect() {
    retryTimer = null;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${scheme}//${location.host}${config.wsPath}?terminal=${encodeURIComponent(state.terminalId)}`;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onmessage = (event) => {
      if (socket === ws) receive(event.data);
    };
    ws.onclose = (event) => {
      if (socket === ws) closed(event.code);
    };
  }

  function receive(raw) {
    awaitingPong = false;
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return; // not a protocol frame
    }
    const handler = frame && FRAME_HANDLERS[frame.type];
    if (handler) handler(frame);
  }

  function closed(code) {
    socket = null;
    setConnected(false);
    clearInterval(pingTimer);
    if (code === 4401) {
      forgetSession(); // signed out here or in another tab, or the session ended
      setStatus("signed-out");
      if (!leaving) location.assign(`${config.loginUrl}?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    if (leaving) return;
    const run = state.run;
    if (run && run.id === null) {
      // Sent, but never confirmed: there is no id to follow it by.
      editor.abandon();
      freshLine();
      print(red("The connection dropped before the command started; it may have run (see the audit log).") + "\n");
      endRun();
      showPrompt();
    }
    setStatus("reconnecting");
    const delay = Math.min(RETRY_MIN_MS * 2 ** retries, RETRY_MAX_MS);
    retries += 1;
    retryTimer = setTimeout(connect, delay);
  }

  // A ping unanswered for a whole interval means the connection is dead without a close.
  function startPing() {
    clearInterval(pingTimer);
    awaitingPong = false;
    pingTimer = setInterval(() => {
      if (!awaitingPong) {
        awaitingPong = send({ type: "ping" });
        return;
      }
      const ws = socket;
      closed(1006);
      if (ws) ws.close();
    }, PING_MS);
  }

  function reconnectNow() {
    if (retryTimer === null) return;
    clearTimeout(retryTimer);
    connect();
  }

  // ---- start ---------------------------------------------------------------------------
  function refit() {
    if (root.clientWidth && root.clientHeight) fitAddon.fit();
  }

  let refitQueued = false;
  function queueRefit() {
    // Deferred to the next frame: fitting inside the observer would re-trigger it.
    if (refitQueued) return;
    refitQueued = true;
    requestAnimationFrame(() => {
      refitQueued = false;
      refit();
    });
  }

  term.open(root);
  refit();
  term.onData(onData);
  term.onResize(({ cols, rows }) => {
    send({ type: "resize", cols, rows });
    if (editor.active) editor.render();
  });
  // Ctrl-C (and Ctrl-Shift-C) with a selection is the browser's copy; without one, Ctrl-C interrupts.
  term.attachCustomKeyEventHandler(
    (e) => !(e.type === "keydown" && e.ctrlKey && e.key.toLowerCase() === "c" && term.hasSelection()),
  );
  new ResizeObserver(queueRefit).observe(root);
  if (document.fonts) document.fonts.ready.then(queueRefit);
  window.addEventListener("online", reconnectNow);

  // What this browser keeps for the user goes when the user does.
  function forgetSession() {
    history.forget();
    save("sessionStorage", KEYS.activeRun, null);
  }

  const logoutForm = document.getElementById("logout-form");
  if (logoutForm) {
    logoutForm.addEventListener("submit", () => {
      leaving = true;
      forgetSession();
    });
  }
  history.forget(history.key()); // another user's history, or raw lines from before

  setConnected(false);
  setRunning(false);
  setStatus("connecting");
  window.consoleTerminal = { term, state, line: () => editor.chars.join("") };
  connect();
  term.focus();
})();
