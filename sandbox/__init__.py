"""The local AWS: a real moto server over HTTP, seeded, with IAM auth enforced.

Entry points: ``sandbox.server.SandboxProcess`` (start/stop the server process),
``sandbox.seed.seed_demo`` and ``sandbox.seed.enforce_auth`` (both take the
process's ``control_secret``, see ``sandbox.control``); ``python -m sandbox`` does
all three and waits. Nothing is imported here, so that ``python -m
sandbox.server`` does not import its own module twice.
"""
