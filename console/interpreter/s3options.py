"""The options of the CLI's hand-written `aws s3` commands, as data (awscli 1.46.3's
`customizations/s3/subcommands.py`, checked against it in tests).

Every option the CLI knows is listed, so a line pasted from AWS documentation gets the
CLI's own error for a real mistake, and a plain refusal, not "Unknown options", for an
option this console does not offer yet (`--sse-c-key` and the other customer-key options,
`--grants`, `--metadata`, `--source-region`, checksum validation of downloads).
"""

from __future__ import annotations

from dataclasses import dataclass

FLAG = "flag"  # store_true
VALUE = "value"  # one word
INTEGER = "integer"  # one word, read with int() after argparse, as the CLI does
OPTIONAL = "optional"  # nargs='?' with a const
APPEND = "append"  # --include/--exclude: one word, repeatable, kept in order
PAIR = "pair"  # --tags KEY VALUE, repeatable


@dataclass(frozen=True)
class S3Option:
    name: str  # without the leading "--"
    kind: str
    choices: tuple[str, ...] = ()
    const: str | None = None
    supported: bool = True

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")


_ACLS = (
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
)
_STORAGE_CLASSES = (
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "GLACIER_IR",
)
_CHECKSUMS = ("CRC64NVME", "CRC32", "SHA256", "SHA1", "CRC32C", "SHA512", "XXHASH64", "XXHASH3", "XXHASH128")

RECURSIVE = S3Option("recursive", FLAG)
PAGE_SIZE = S3Option("page-size", INTEGER)
REQUEST_PAYER = S3Option("request-payer", OPTIONAL, ("requester",), "requester")
DRYRUN = S3Option("dryrun", FLAG)
QUIET = S3Option("quiet", FLAG)
INCLUDE = S3Option("include", APPEND)
EXCLUDE = S3Option("exclude", APPEND)
ONLY_SHOW_ERRORS = S3Option("only-show-errors", FLAG)

_TRANSFER = (
    DRYRUN,
    QUIET,
    INCLUDE,
    EXCLUDE,
    S3Option("acl", VALUE, _ACLS),
    S3Option("follow-symlinks", FLAG),
    S3Option("no-follow-symlinks", FLAG),
    S3Option("no-guess-mime-type", FLAG),
    S3Option("sse", OPTIONAL, ("AES256", "aws:kms"), "AES256"),
    S3Option("sse-c", OPTIONAL, ("AES256",), "AES256", supported=False),
    S3Option("sse-c-key", VALUE, supported=False),
    S3Option("sse-kms-key-id", VALUE),
    S3Option("sse-c-copy-source", OPTIONAL, ("AES256",), "AES256", supported=False),
    S3Option("sse-c-copy-source-key", VALUE, supported=False),
    S3Option("storage-class", VALUE, _STORAGE_CLASSES),
    S3Option("grants", VALUE, supported=False),
    S3Option("website-redirect", VALUE),
    S3Option("content-type", VALUE),
    S3Option("cache-control", VALUE),
    S3Option("content-disposition", VALUE),
    S3Option("content-encoding", VALUE),
    S3Option("content-language", VALUE),
    S3Option("expires", VALUE),
    S3Option("source-region", VALUE, supported=False),
    ONLY_SHOW_ERRORS,
    S3Option("no-progress", FLAG),
    PAGE_SIZE,
    S3Option("ignore-glacier-warnings", FLAG),
    S3Option("force-glacier-transfer", FLAG),
    REQUEST_PAYER,
    S3Option("checksum-mode", VALUE, ("ENABLED",), supported=False),
    S3Option("checksum-algorithm", VALUE, _CHECKSUMS),
    S3Option("metadata", VALUE, supported=False),
    S3Option("metadata-directive", VALUE, ("COPY", "REPLACE")),
    RECURSIVE,
    S3Option("case-conflict", VALUE, ("ignore", "skip", "warn", "error")),
)


@dataclass(frozen=True)
class S3CommandSpec:
    name: str
    usage: str  # the CLI's USAGE, used in its "Invalid argument type" errors
    positionals: int  # how many path words; 0 means one optional word (ls)
    options: tuple[S3Option, ...]

    def option(self, name: str) -> S3Option | None:
        return next((option for option in self.options if option.name == name), None)


_TRANSFER_USAGE = "<LocalPath> <S3Uri> or <S3Uri> <LocalPath> or <S3Uri> <S3Uri>"
_SYNC_USAGE = _TRANSFER_USAGE

COMMANDS: dict[str, S3CommandSpec] = {
    spec.name: spec
    for spec in (
        S3CommandSpec(
            "ls",
            "<S3Uri> or NONE",
            0,
            (
                RECURSIVE,
                PAGE_SIZE,
                S3Option("human-readable", FLAG),
                S3Option("summarize", FLAG),
                REQUEST_PAYER,
                S3Option("bucket-name-prefix", VALUE),
                S3Option("bucket-region", VALUE),
            ),
        ),
        S3CommandSpec(
            "cp", _TRANSFER_USAGE, 2, (*_TRANSFER, S3Option("expected-size", VALUE, supported=False))
        ),
        S3CommandSpec("mv", _TRANSFER_USAGE, 2, (*_TRANSFER, S3Option("validate-same-s3-paths", FLAG))),
        S3CommandSpec(
            "sync",
            _SYNC_USAGE,
            2,
            (
                *(option for option in _TRANSFER if option.name != "recursive"),
                S3Option("delete", FLAG),
                S3Option("exact-timestamps", FLAG),
                S3Option("size-only", FLAG),
            ),
        ),
        S3CommandSpec(
            "rm",
            "<S3Uri>",
            1,
            (DRYRUN, QUIET, RECURSIVE, REQUEST_PAYER, INCLUDE, EXCLUDE, ONLY_SHOW_ERRORS, PAGE_SIZE),
        ),
        S3CommandSpec("mb", "<S3Uri>", 1, (S3Option("tags", PAIR),)),
        S3CommandSpec("rb", "<S3Uri>", 1, (S3Option("force", FLAG),)),
        S3CommandSpec("presign", "<S3Uri>", 1, (S3Option("expires-in", INTEGER),)),
    )
}

# The CLI's subcommands, in the order its "Invalid choice" error lists them.
SUBCOMMANDS = ("ls", "website", "cp", "mv", "rm", "sync", "mb", "rb", "presign")

NOT_YET = {
    "website": "`aws s3 website` is not available in this console yet; use `aws s3api put-bucket-website`",
}
