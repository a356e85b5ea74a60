"""The hidden properties every front-end passes through unchanged (snake_case, as in the state)."""

# `opts.import_` as an input: adopt with no write, and fail instead of writing when a field differs.
IMPORT_KEY = "import_id"
# What the code declares, apart from the fields that `ignore_changes` may replace; copied into the
# outputs, where a refresh rebuilds the inputs from it and the audit reads it.
DECLARED_KEY = "__declared"
# The names of the inputs the program marked secret (a failure never quotes their values).
SECRETS_KEY = "__secrets"
# A set's live bindings that a refresh found different from the written ones.
LIVE_KEY = "__live"
