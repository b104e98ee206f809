"""One oracle process: runs many `aws` command lines through awscli's own entry point.

Design decision: a fresh `aws` process costs ~0.6 s of CPU before it does anything (the
interpreter and awscli's imports); the table has ~470 lines. This process pays that once
and then, per line, does exactly what `aws` does after its imports: a new CLI driver (a
new botocore session reading the config files afresh) and `driver.main(argv)`, with
stdout and stderr captured as bytes through UTF-8 text streams, as a pipe would be. It is
still a separate process from the test and from the product: awscli is never imported
into the test process, let alone the product.

Protocol: one JSON array of arguments per line on stdin; one JSON object
`{"rc", "stdout", "stderr"}` per line on stdout.
"""

from __future__ import annotations

import io
import json
import sys

import awscli.clidriver


def _text_stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)


def run(argv: list[str]) -> dict[str, object]:
    out, err = _text_stream(), _text_stream()
    sys.stdout, sys.stderr = out, err
    try:
        rc = awscli.clidriver.create_clidriver().main(argv)
    except SystemExit as exit_:  # argparse's usage errors
        rc = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    return {"rc": rc, "stdout": _read(out), "stderr": _read(err)}


def _read(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]


def serve() -> None:
    sys.argv[0] = "aws"  # argparse names the program in usage errors after argv[0]
    requests, replies = sys.__stdin__, sys.__stdout__
    assert requests is not None and replies is not None
    for line in requests:
        replies.write(json.dumps(run(json.loads(line))) + "\n")
        replies.flush()


if __name__ == "__main__":
    serve()
