"""What each command shows, as typed data built from a snapshot (its `as_json()` is the command's
JSON); the commands that build and return them are in `commands/`."""
